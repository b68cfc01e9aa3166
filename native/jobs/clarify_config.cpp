#include "native/jobs/clarify_config.h"

#include <cmath>
#include <filesystem>

#include "shared/error.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

std::string text(const nlohmann::json& v) {
  if (v.is_null()) return "";
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::vector<std::string> texts(const nlohmann::json& v, const std::string& field) {
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const auto& x : v) {
      if (x.is_array() || x.is_object()) throw Error("config: '" + field + "' must be a list of values, not " + v.dump());
      out.push_back(text(x));
    }
  } else if (!v.is_null()) {
    out.push_back(text(v));
  }
  return out;
}

double number(const nlohmann::json& v, const std::string& field) {
  if (!v.is_number()) throw Error("config: '" + field + "' must be a number, not " + v.dump());
  return v.get<double>();
}

std::size_t count(const nlohmann::json& v, const std::string& field, double low) {
  const double d = number(v, field);
  if (!(d >= low && d < 1e12) || d != std::floor(d)) {
    throw Error("config: '" + field + "' must be a whole number of at least " + std::to_string(static_cast<int>(low)) +
                ", not " + v.dump());
  }
  return static_cast<std::size_t>(d);
}

bool flag(const nlohmann::json& v, const std::string& field) {
  if (!v.is_boolean()) throw Error("config: '" + field + "' must be true or false, not " + v.dump());
  return v.get<bool>();
}

// "all" or a list of metric names.
std::vector<std::string> metric_names(const nlohmann::json& section, const std::string& field, ClarifyConfig& c) {
  if (!section.is_object()) throw Error("config: '" + field + "' must be an object such as {\"methods\": \"all\"}");
  for (const auto& [k, v] : section.items()) {
    if (k != "methods") c.ignored.push_back(field + "." + k);
  }
  const nlohmann::json m = section.value("methods", nlohmann::json("all"));
  if (m.is_string()) {
    if (m.get<std::string>() != "all") throw Error("config: '" + field + ".methods' must be \"all\" or a list of names");
    return {"all"};
  }
  std::vector<std::string> names = texts(m, field + ".methods");
  if (names.empty()) throw Error("config: '" + field + ".methods' names no metric");
  return names;
}

ClarifyShap shap_section(const nlohmann::json& s, const std::string& dir, ClarifyConfig& c) {
  if (!s.is_object()) throw Error("config: 'methods.shap' must be an object");
  ClarifyShap shap;
  for (const auto& [k, v] : s.items()) {
    const std::string field = "methods.shap." + k;
    if (k == "baseline") {
      if (v.is_string()) {
        std::string path = v.get<std::string>();
        if (path.rfind("s3://", 0) == 0) throw Error("config: '" + field + "' is an S3 URI; give a local file");
        if (!fs::exists(path) && fs::path(path).is_relative() && fs::exists(fs::path(dir) / path)) path = (fs::path(dir) / path).string();
        if (!fs::is_regular_file(path)) throw Error("config: '" + field + "': no file '" + v.get<std::string>() + "'");
        shap.baseline_file = path;
      } else if (v.is_array() && !v.empty()) {
        const bool one_row = !v[0].is_array();
        for (const auto& row : one_row ? nlohmann::json::array({v}) : v) shap.baseline_rows.push_back(texts(row, field));
      } else {
        throw Error("config: '" + field + "' must be a file name or a list of rows");
      }
    } else if (k == "num_samples") {
      shap.num_samples = count(v, field, 1);
    } else if (k == "agg_method") {
      shap.agg_method = text(v);
    } else if (k == "use_logit") {
      shap.use_logit = flag(v, field);
    } else if (k == "save_local_shap_values") {
      shap.save_local_shap_values = flag(v, field);
    } else if (k == "seed") {
      shap.seed = count(v, field, 0);
    } else if (k == "num_clusters") {
      shap.num_clusters = count(v, field, 1);
    } else {
      c.ignored.push_back(field);
    }
  }
  return shap;
}

ClarifyPdp pdp_section(const nlohmann::json& s, ClarifyConfig& c) {
  if (!s.is_object()) throw Error("config: 'methods.pdp' must be an object");
  ClarifyPdp pdp;
  for (const auto& [k, v] : s.items()) {
    const std::string field = "methods.pdp." + k;
    if (k == "features") {
      if (!v.is_array() || v.empty()) throw Error("config: '" + field + "' must be a list of column names or indices");
      for (const auto& f : v) pdp.features.push_back(f);
    } else if (k == "grid_resolution") {
      pdp.grid_resolution = count(v, field, 2);
    } else if (k == "top_k_features") {
      pdp.top_k_features = count(v, field, 1);
    } else {
      c.ignored.push_back(field);
    }
  }
  return pdp;
}

}  // namespace

std::string clarify_column(const nlohmann::json& name_or_index, const std::vector<std::string>& header,
                           const std::string& field) {
  if (name_or_index.is_number_integer()) {
    const long long i = name_or_index.get<long long>();
    if (i < 0 || i >= static_cast<long long>(header.size())) {
      throw Error("config: '" + field + "' is column " + std::to_string(i) + ", but the dataset has " +
                  std::to_string(header.size()) + " columns (0-based)");
    }
    return header[static_cast<std::size_t>(i)];
  }
  if (!name_or_index.is_string()) throw Error("config: '" + field + "' must be a column name or index");
  const std::string name = name_or_index.get<std::string>();
  for (const std::string& h : header) {
    if (h == name) return name;
  }
  throw Error("config: '" + field + "' names '" + name + "', which is not a column of the dataset");
}

ClarifyConfig parse_clarify_config(const nlohmann::json& j, const std::string& dir) {
  if (!j.is_object()) throw Error("config: not a JSON object");
  ClarifyConfig c;
  for (const auto& [k, v] : j.items()) {
    if (k == "dataset_type") {
      c.format.type = text(v);
    } else if (k == "headers") {
      c.format.headers = texts(v, k);
    } else if (k == "label") {
      c.label = v;
    } else if (k == "features") {
      c.format.features = text(v);
    } else if (k == "label_values_or_threshold") {
      c.label_values = texts(v, k);
    } else if (k == "facet") {
      if (!v.is_array()) throw Error("config: 'facet' must be a list of {name_or_index, value_or_threshold}");
      for (std::size_t i = 0; i < v.size(); ++i) {
        const std::string field = "facet[" + std::to_string(i) + "]";
        if (!v[i].is_object() || !v[i].contains("name_or_index")) throw Error("config: '" + field + "' needs 'name_or_index'");
        ClarifyFacet f;
        f.name_or_index = v[i]["name_or_index"];
        if (v[i].contains("value_or_threshold")) f.values = texts(v[i]["value_or_threshold"], field + ".value_or_threshold");
        for (const auto& [fk, fv] : v[i].items()) {
          if (fk != "name_or_index" && fk != "value_or_threshold") c.ignored.push_back(field + "." + fk);
        }
        c.facets.push_back(f);
      }
    } else if (k == "group_variable") {
      c.group_variable = text(v);
    } else if (k == "probability_threshold") {
      c.probability_threshold = number(v, k);
      if (!(c.probability_threshold >= 0 && c.probability_threshold <= 1)) {
        throw Error("config: 'probability_threshold' must be between 0 and 1, not " + v.dump());
      }
    } else if (k == "methods") {
      if (!v.is_object()) throw Error("config: 'methods' must be an object");
      for (const auto& [m, mv] : v.items()) {
        if (m == "shap") c.shap = shap_section(mv, dir, c);
        else if (m == "pre_training_bias") c.pre_training_bias = metric_names(mv, "methods." + m, c);
        else if (m == "post_training_bias") c.post_training_bias = metric_names(mv, "methods." + m, c);
        else if (m == "pdp") c.pdp = pdp_section(mv, c);
        else if (m == "report") {
          const std::string name = mv.is_object() ? mv.value("name", "report") : "report";
          const std::string title = mv.is_object() ? mv.value("title", "Analysis Report") : "Analysis Report";
          if (name.empty() || name.find('/') != std::string::npos) throw Error("config: 'methods.report.name' must be a file name");
          c.report = std::make_pair(name, title);
        } else {
          c.ignored.push_back("methods." + m);
        }
      }
    } else {
      c.ignored.push_back(k);  // predictor, dataset_uri, joinsource_name_or_index, ...
    }
  }
  if (c.format.type != "text/csv" && c.format.type != "application/jsonlines") {
    throw Error("config: dataset_type '" + c.format.type + "' is not one verdict reads (text/csv, application/jsonlines)");
  }
  if (c.format.type == "application/jsonlines" && c.label.is_string() && !c.format.features.empty()) {
    c.format.label = c.label.get<std::string>();
  }
  if ((c.pre_training_bias || c.post_training_bias) && c.facets.empty()) {
    throw Error("config: bias methods need 'facet' (a list of {name_or_index, value_or_threshold})");
  }
  if ((c.pre_training_bias || c.post_training_bias) && c.label.is_null()) throw Error("config: bias methods need 'label'");
  if (c.pdp && c.pdp->features.empty() && !c.shap) {
    throw Error("config: 'methods.pdp' needs 'features' when there is no 'methods.shap' to rank them");
  }
  return c;
}

}  // namespace verdict
