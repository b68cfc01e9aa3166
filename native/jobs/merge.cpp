// verdict merge: completed human loops -> ground truth for the next training run.
// agree -> the model's label stands; disagree -> the reviewer's label; several reviewers are
// resolved by majority, ties are listed for a person. Also reviewer agreement figures.
#include "native/jobs/merge.h"

#include <filesystem>
#include <iostream>
#include <sstream>

#include "native/io/csv.h"
#include "native/review/store.h"
#include "shared/review_rules.h"
#include "native/io/staged_output.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

// One reviewed record: its values, the model's label, and each reviewer's label.
struct Reviewed {
  nlohmann::json record;
  std::string loop;
  std::vector<std::string> reviewers, labels;
};

std::vector<Reviewed> collect(const std::vector<nlohmann::json>& outputs) {
  std::vector<Reviewed> all;
  for (const nlohmann::json& out : outputs) {
    const nlohmann::json& records = out["inputContent"]["records"];
    for (const nlohmann::json& rec : records) {
      Reviewed r{rec, out["humanLoopName"], {}, {}};
      for (const nlohmann::json& answer : out["humanAnswers"]) {
        for (const nlohmann::json& a : answer["answerContent"].value("records", nlohmann::json::array())) {
          if (a.value("row", -1) != rec.value("row", -2)) continue;
          const std::string verdict = a.value("verdict", "");
          std::string label;
          if (verdict == "agree") label = rec.value("predicted_label", "");
          if (verdict == "disagree") label = a.value("label", "");
          if (label.empty()) continue;
          r.reviewers.push_back(answer.value("workerId", ""));
          r.labels.push_back(label);
        }
      }
      if (!r.labels.empty()) all.push_back(std::move(r));
    }
  }
  return all;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

}  // namespace

void merge_verdicts(const MergePlan& o, std::ostream& log) {
  std::vector<nlohmann::json> outputs;
  try {
    review::Store store(o.db, review::system_clock_ms, review::OpenMode::MustExist);
    outputs = store.completed_outputs(o.flow);
  } catch (const review::ReviewError& e) {
    throw Error(e.what());
  }
  if (outputs.empty()) throw Error("no completed loops" + (o.flow.empty() ? std::string() : " for flow '" + o.flow + "'"));
  const std::vector<std::string> features = outputs.front()["inputContent"]["features"].get<std::vector<std::string>>();
  const std::vector<Reviewed> reviewed = collect(outputs);

  std::ostringstream truth, ties;
  std::vector<std::string> header = features;
  header.push_back(o.target);
  for (const char* c : {"verdict_loop", "verdict_source_row", "verdict_reviewers", "verdict_labels"}) header.push_back(c);
  write_csv_row(truth, header);
  write_csv_row(ties, header);
  std::size_t resolved = 0, tied = 0, overturned = 0;
  std::vector<std::vector<std::string>> ratings;
  for (const Reviewed& r : reviewed) {
    ratings.push_back(r.labels);
    const auto label = majority(r.labels);
    std::vector<std::string> row;
    for (const std::string& f : features) row.push_back(r.record["values"].value(f, ""));
    row.push_back(label.value_or(""));
    row.push_back(r.loop);
    row.push_back(std::to_string(r.record.value("row", 0)));
    row.push_back(join(r.reviewers, ";"));
    row.push_back(join(r.labels, ";"));
    if (label) {
      write_csv_row(truth, row);
      ++resolved;
      overturned += *label != r.record.value("predicted_label", "");
    } else {
      write_csv_row(ties, row);
      ++tied;
    }
  }
  const Agreement a = agreement(ratings);
  nlohmann::json summary = {{"loops", outputs.size()}, {"records_reviewed", reviewed.size()},
                            {"resolved", resolved}, {"ties", tied}, {"model_label_overturned", overturned},
                            {"agreement", {{"items_with_all_reviewers", a.items}, {"percent_agreement", a.percent_agreement}}}};
  if (a.cohen_kappa) summary["agreement"]["cohen_kappa"] = *a.cohen_kappa;
  if (a.fleiss_kappa) summary["agreement"]["fleiss_kappa"] = *a.fleiss_kappa;

  StagedOutputs out;
  const fs::path dir = o.out;
  out.write(dir / "ground_truth.csv", truth.str());
  out.write(dir / "ties.csv", ties.str());
  out.write(dir / "merge_summary.json", summary.dump(2) + "\n");
  out.commit();
  log << "ground truth -> " << (dir / "ground_truth.csv").string() << " (" << resolved << " records, "
      << overturned << " with the model's label overturned)\n"
      << "ties         -> " << (dir / "ties.csv").string() << " (" << tied << " for a person to settle)\n"
      << "summary      -> " << (dir / "merge_summary.json").string() << "\n"
      << "agreement: " << summary["agreement"].dump() << "\n";
}

}  // namespace verdict
