#include "native/datasets/loan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "shared/error.h"
#include "shared/portable_random.h"

namespace verdict {

namespace {

// Approximately standard normal: the Irwin–Hall sum of 12 uniforms minus 6 (only additions,
// so bit-identical everywhere).
double normal01(std::mt19937_64& rng) {
  double s = -6;
  for (int i = 0; i < 12; ++i) s += uniform01(rng);
  return s;
}

// One of `choices`, picked by cumulative probabilities `upto` (the last is 1).
template <std::size_t N>
const char* pick(std::mt19937_64& rng, const char* const (&choices)[N], const double (&upto)[N]) {
  const double u = uniform01(rng);
  for (std::size_t i = 0; i + 1 < N; ++i) {
    if (u < upto[i]) return choices[i];
  }
  return choices[N - 1];
}

std::string integer(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string fixed3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

double clamp(double v, double lo, double hi) { return std::min(hi, std::max(lo, v)); }

}  // namespace

const std::vector<std::string>& loan_columns(int outcomes) {
  static const std::vector<std::string> names = {
      "monthly_income", "credit_score",     "employment_years", "age",       "debt_to_income",
      "other_obligations", "loan_amount",   "loan_term_months", "home_ownership", "education",
      "marital_status", "gender",           "approved"};
  static const std::vector<std::string> three = [] {
    std::vector<std::string> n = names;
    n.back() = "decision";
    return n;
  }();
  return outcomes == 3 ? three : names;
}

Table generate_loan(const LoanOptions& o) {
  if (o.rows < 10) throw Error("--rows must be at least 10");
  if (o.outcomes != 2 && o.outcomes != 3) throw Error("--outcomes must be 2 or 3");
  static const char* const kGender[] = {"F", "M"};
  static const double kGenderUpto[] = {0.5, 1};
  static const char* const kEducation[] = {"high_school", "bachelor", "master"};
  static const double kEducationUpto[] = {0.45, 0.85, 1};
  static const char* const kMarital[] = {"single", "married", "divorced"};
  static const double kMaritalUpto[] = {0.4, 0.85, 1};
  static const char* const kHome[] = {"rent", "mortgage", "own"};
  static const double kHomeUpto[] = {0.45, 0.8, 1};
  static const double kTerms[] = {12, 24, 36, 48, 60};

  Table t;
  t.source = "loan (generated)";
  t.header = loan_columns(o.outcomes);
  for (std::size_t r = 0; r < o.rows; ++r) {
    std::mt19937_64 rng(mix_seed(o.seed, r));
    const std::string gender = pick(rng, kGender, kGenderUpto);
    const double age = clamp(std::round(41 + 11 * normal01(rng)), 21, 70);
    const std::string education = pick(rng, kEducation, kEducationUpto);
    const std::string marital = pick(rng, kMarital, kMaritalUpto);
    const std::string home = pick(rng, kHome, kHomeUpto);
    const double employment = std::floor((age - 18) * (0.15 + 0.8 * uniform01(rng)));
    const double edu_base = education == "high_school" ? 2700 : education == "bachelor" ? 3600 : 4500;
    const double income =
        std::max(900.0, std::round((edu_base + 45 * std::min(employment, 25.0) + 900 * normal01(rng)) / 10) * 10);
    const double credit = clamp(std::round(660 + 55 * normal01(rng) + 2 * std::min(employment, 15.0)), 300, 850);
    const double amount = std::round((2000 + 38000 * uniform01(rng)) / 500) * 500;
    const double term = kTerms[uniform_below(rng, 5)];
    const double u = uniform01(rng);
    const double obligations = std::round(income * 0.3 * u * u / 10) * 10;
    const double dti = std::round((obligations + amount / term) / income * 1000) / 1000;
    const double noise = normal01(rng);

    double score = (credit - 660) / 50 + (income - 3500) / 1000 - 8 * (dti - 0.35) +
                   0.08 * std::min(employment, 10.0) + (home == "own" ? 0.3 : 0.0) - 0.6 + noise;
    if (gender == "F") score -= o.gender_penalty;
    const bool approved = score > 0;
    const char* decision = score > 0.8 ? "approve" : score < -0.8 ? "decline" : "refer";

    t.rows.push_back({integer(income), integer(credit), integer(employment), integer(age), fixed3(dti),
                      integer(obligations), integer(amount), integer(term), home, education, marital, gender,
                      o.outcomes == 3 ? decision : approved ? "1" : "0"});
    t.line.push_back(r + 2);  // its line in a CSV with a header
  }
  return t;
}

nlohmann::json loan_descriptions(int outcomes) {
  auto d = [](const char* description, const char* unit = "") {
    return nlohmann::json{{"description", description}, {"unit", unit}};
  };
  return {
      {"features",
       {{"monthly_income", d("Income a month", "dollars a month")},
        {"credit_score", d("Credit score, from 300 to 850", "points")},
        {"employment_years", d("Years in employment", "years")},
        {"age", d("Age of the applicant", "years")},
        {"debt_to_income", d("Monthly debt payments (other obligations plus this loan's instalment) over monthly income",
                             "share of income")},
        {"other_obligations", d("Other debt payments a month", "dollars a month")},
        {"loan_amount", d("Amount asked for", "dollars")},
        {"loan_term_months", d("Term of the loan", "months")},
        {"home_ownership", d("Whether the applicant rents, has a mortgage or owns their home")},
        {"education", d("Highest degree")},
        {"marital_status", d("Marital status")},
        {"gender", d("Gender (the generator penalises F on purpose, for the bias metrics)")}}},
      {"classes", outcomes == 3 ? nlohmann::json{{"approve", "approve"}, {"refer", "refer to a person"}, {"decline", "decline"}}
                                : nlohmann::json{{"1", "1 = approved"}, {"0", "0 = declined"}}}};
}

}  // namespace verdict
