#include "cyberloss/describe.hpp"

#include <cstdio>

namespace cyberloss {
namespace {

// printf-style %.<digits>g, as Python's format(x, ".6g").
std::string g(double x, int digits = 6) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, x);
  return buf;
}

}  // namespace

std::string describe(const Frequency& frequency) {
  if (const auto* p = dynamic_cast<const Poisson*>(&frequency))
    return "Poisson(rate=" + g(p->rate()) + ")";
  if (const auto* nb = dynamic_cast<const NegativeBinomial*>(&frequency))
    return "NegativeBinomial(mean=" + g(nb->mean()) + ", dispersion=" + g(nb->dispersion()) + ")";
  return frequency.name() + "(mean=" + g(frequency.mean()) + ")";
}

std::string describe(const Severity& severity) {
  if (const auto* ln = dynamic_cast<const Lognormal*>(&severity))
    return "Lognormal(mu=" + g(ln->mu()) + ", sigma=" + g(ln->sigma()) + ")";
  if (const auto* sp = dynamic_cast<const SplicedLognormalGPD*>(&severity))
    return "SplicedLognormalGPD(body=" + describe(sp->body()) +
           ", threshold=" + g(sp->threshold()) + ", xi=" + g(sp->xi()) + ", beta=" + g(sp->beta()) +
           ")";
  return severity.name() + "()";
}

std::string describe(const AttackType& attack_type) {
  return "AttackType('" + attack_type.name + "', " + describe(*attack_type.frequency) + ", " +
         describe(*attack_type.severity) + ")";
}

std::string describe(const Model& model) {
  std::string out = "Model([";
  for (std::size_t i = 0; i < model.types().size(); ++i) {
    const AttackType& a = model.types()[i];
    if (i > 0) out += ", ";
    out += a.name + ": " + describe(*a.frequency) + " x " + describe(*a.severity);
  }
  return out + "])";
}

}  // namespace cyberloss
