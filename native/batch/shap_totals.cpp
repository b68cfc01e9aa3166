#include "native/batch/shap_totals.h"

#include <cmath>

#include "shared/error.h"

namespace verdict {

ShapTotals::ShapTotals(std::size_t features, Aggregation how)
    : m_(features), how_(how), total_(features, 0.0), block_(features, 0.0) {}

void ShapTotals::add(const double* phi, std::size_t rows) {
  if (how_ == Aggregation::Median) {
    values_.insert(values_.end(), phi, phi + rows * m_);
    rows_ += rows;
    return;
  }
  for (std::size_t r = 0; r < rows; ++r) {
    const double* row = phi + r * m_;
    for (std::size_t f = 0; f < m_; ++f) block_[f] += how_ == Aggregation::MeanAbs ? std::fabs(row[f]) : row[f] * row[f];
    ++rows_;
    if (++in_block_ == kBlockRows) close_block();
  }
}

void ShapTotals::close_block() {
  for (std::size_t f = 0; f < m_; ++f) total_[f] += block_[f];
  blocks_.push_back(block_);
  block_.assign(m_, 0.0);
  in_block_ = 0;
}

std::vector<std::vector<double>> ShapTotals::blocks() const {
  std::vector<std::vector<double>> out = blocks_;
  if (in_block_ > 0) out.push_back(block_);
  return out;
}

void ShapTotals::add_blocks(const std::vector<std::vector<double>>& blocks, std::size_t rows) {
  if (how_ == Aggregation::Median) throw Error("median global SHAP values cannot be merged from block sums");
  if (in_block_ > 0) throw Error("block sums can follow only whole blocks");
  for (const std::vector<double>& b : blocks) {
    if (b.size() != m_) throw Error("block sums of " + std::to_string(b.size()) + " features, expected " + std::to_string(m_));
    for (std::size_t f = 0; f < m_; ++f) total_[f] += b[f];
    blocks_.push_back(b);
  }
  rows_ += rows;
}

std::vector<double> ShapTotals::global() const {
  if (how_ == Aggregation::Median) return global_shap(values_, m_, how_);
  std::vector<double> out(m_, 0.0);
  if (rows_ == 0) return out;
  for (std::size_t f = 0; f < m_; ++f) out[f] = (total_[f] + (in_block_ > 0 ? block_[f] : 0.0)) / static_cast<double>(rows_);
  return out;
}

}  // namespace verdict
