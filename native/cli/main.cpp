// verdict: train, score, explain and review tabular model decisions.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "native/cli/commands.h"
#include "shared/error.h"

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// "unknown command 'serv'; did you mean 'serve'?" — or the list when nothing is close.
std::string unknown_command(const CLI::App& app, const std::string& word) {
  std::string best, names;
  std::size_t best_distance = 3;  // at most two edits away
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    const std::string& name = sub->get_name();
    names += (names.empty() ? "" : ", ") + name;
    const std::size_t d = edit_distance(word, name);
    if (d < best_distance || (word.size() >= 3 && name.rfind(word, 0) == 0 && best.empty())) best = name, best_distance = d;
  }
  return "unknown command '" + word + "'; " + (best.empty() ? "the commands are " + names : "did you mean '" + best + "'?");
}

}  // namespace

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
  verdict::add_pack_command(app);
  verdict::add_bias_command(app);
  verdict::add_counterfactual_command(app);
  verdict::add_clarify_command(app);
  verdict::add_report_command(app);
  verdict::add_serve_command(app);
  verdict::add_review_commands(app);
  verdict::add_merge_command(app);
  verdict::add_migrate_command(app);
  verdict::add_retrain_command(app);
  verdict::add_run_command(app);
  verdict::add_schema_command(app);
  if (argc > 1 && argv[1][0] != '-') {
    const std::string word = argv[1];
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) known = known || sub->get_name() == word;
    if (!known) {
      std::fprintf(stderr, "verdict: error: %s (see --help)\n", unknown_command(app, word).c_str());
      return 2;
    }
  }
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
