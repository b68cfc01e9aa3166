// A synthetic loan-approval data set with a bias put in on purpose, for trying the bias
// metrics (and the whole demo) without any download.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "native/io/csv.h"

namespace verdict {

struct LoanOptions {
  std::size_t rows = 10000;
  std::uint64_t seed = 0;
  // Subtracted from the approval score of gender F: the injected bias (score units; the
  // score's noise has standard deviation 1). 0 gives a fair rule.
  double gender_penalty = 1.5;
  // 2: the label `approved` (1/0). 3: the label `decision` — approve (score above 0.8), decline
  // (below -0.8) or refer (a person looks: in between), from the same score.
  int outcomes = 2;
};

// monthly_income, credit_score, employment_years, age, debt_to_income, other_obligations,
// loan_amount, loan_term_months, home_ownership, education, marital_status, gender, approved
// (or decision, with three outcomes).
const std::vector<std::string>& loan_columns(int outcomes = 2);

// Generates the rows. Row r depends only on (seed, r): it comes from its own
// std::mt19937_64 stream, seeded with mix_seed(seed, r), whose raw outputs are mapped to
// numbers by hand (uniform01; a normal is approximated by the sum of 12 uniforms minus 6), so
// the same seed gives the same file with any standard library, and --rows 100 is the first
// 100 rows of --rows 1000. Finances do not depend on gender; the approval rule
//   score = (credit_score − 660)/50 + (monthly_income − 3500)/1000 − 8·(debt_to_income − 0.35)
//           + 0.08·min(employment_years, 10) + 0.3·[home_ownership = own] − 0.6
//           − gender_penalty·[gender = F] + noise,   approved = score > 0
// penalises F for the same finances (noise ≈ N(0, 1)). With the default penalty about 58 % are
// approved: about 47 % of F and 68 % of M (DPL ≈ 0.21).
Table generate_loan(const LoanOptions& o);

// What each column means, its unit, and the classes' display names ("1 = approved"), as a
// describe file for `verdict schema --describe` (`verdict data loan` writes it as describe.json).
nlohmann::json loan_descriptions(int outcomes = 2);

}  // namespace verdict
