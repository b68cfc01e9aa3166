// exp(x) with the same bits on every platform: fdlibm's algorithm (FreeBSD msun e_exp.c) in
// plain IEEE double arithmetic, so native code (glibc) and WebAssembly (musl) turn a margin into
// the same probability. Error below 1 ulp (fdlibm's bound); tests compare it with std::exp.
#pragma once

namespace verdict {

double portable_exp(double x);

}  // namespace verdict
