// cyberloss._core: the private compiled module. Creates submodules and registers each family.
#include "bindings.hpp"
#include "cyberloss/engine.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "cyberloss compiled core (private; use the cyberloss package)";
  // The project version from CMakeLists.txt: the package's __version__ and the wheel's.
  m.attr("__version__") = CYBERLOSS_VERSION;
  py::register_exception<cyberloss::memory_error>(m, "SimulationMemoryError", PyExc_MemoryError);
  py::register_exception<cyberloss::cancelled>(m, "Cancelled", PyExc_KeyboardInterrupt);
  cyberloss::bindings::register_random(m);
  cyberloss::bindings::register_distributions(m);
  cyberloss::bindings::register_engine(m);
  cyberloss::bindings::register_stats(m);
  cyberloss::bindings::register_reinsurance(m);
  cyberloss::bindings::register_portfolio(m);
  cyberloss::bindings::register_incident(m);
  cyberloss::bindings::register_terms(m);
}
