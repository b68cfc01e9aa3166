// One file per subcommand; each registers itself on the `verdict` app: it turns the options
// into a plan, calls one job (native/jobs/) and prints where the job wrote its outputs.
#pragma once
#include <CLI/CLI.hpp>

namespace verdict {

void add_data_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_explain_command(CLI::App& app);
void add_explain_merge_command(CLI::App& app);
void add_score_command(CLI::App& app);
void add_compile_command(CLI::App& app);
void add_pack_command(CLI::App& app);
void add_bias_command(CLI::App& app);
void add_counterfactual_command(CLI::App& app);
void add_clarify_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_serve_command(CLI::App& app);
void add_review_commands(CLI::App& app);  // flow, reviewer, review
void add_merge_command(CLI::App& app);
void add_migrate_command(CLI::App& app);
void add_retrain_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_schema_command(CLI::App& app);

}  // namespace verdict
