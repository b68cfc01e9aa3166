// verdict: train, score, explain and review tabular model decisions.
#include <cstdio>
#include <exception>

#include "native/cli/commands.h"
#include "shared/error.h"

int main(int argc, char** argv) {
  CLI::App app{"verdict: train, score and explain tabular models with exact SHAP, for human review"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "verdict 0.1.0");
  verdict::add_data_command(app);
  verdict::add_train_command(app);
  verdict::add_explain_command(app);
  verdict::add_explain_merge_command(app);
  verdict::add_score_command(app);
  verdict::add_compile_command(app);
  verdict::add_bias_command(app);
  verdict::add_report_command(app);
  verdict::add_serve_command(app);
  verdict::add_review_commands(app);
  verdict::add_merge_command(app);
  verdict::add_retrain_command(app);
  verdict::add_run_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "verdict: error: %s (see --help)\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "verdict: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
