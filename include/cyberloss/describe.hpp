// One-line descriptions of model objects, in the form a user would write them
// ("Poisson(rate=0.05)", "Lognormal(mu=17.4, sigma=0.97)", "Model([ransomware: ... x ...])").
// Python shows them as the objects' repr.
#pragma once

#include <string>

#include "cyberloss/distributions.hpp"
#include "cyberloss/engine.hpp"

namespace cyberloss {

std::string describe(const Frequency& frequency);
std::string describe(const Severity& severity);
std::string describe(const AttackType& attack_type);
std::string describe(const Model& model);

}  // namespace cyberloss
