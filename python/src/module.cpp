// cyberloss._core: the private compiled module. Creates submodules and registers each family.
#include "bindings.hpp"
#include "cyberloss/engine.hpp"

namespace cyberloss::bindings {

long long integer_arg(const char* name, const py::handle& value, long long lo, long long hi) {
  const std::string need = hi == 0x7fffffffffffffffLL ? "an integer >= " + std::to_string(lo)
                                                      : "an integer in [" + std::to_string(lo) +
                                                            ", " + std::to_string(hi) + "]";
  const auto refuse = [&] {
    return py::value_error(std::string(name) + " must be " + need + ", got " +
                           py::repr(value).cast<std::string>());
  };
  if (PyBool_Check(value.ptr()) || !PyIndex_Check(value.ptr())) throw refuse();
  py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
  if (!index) throw py::error_already_set();
  int overflow = 0;
  const long long x = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
  if (overflow != 0 || x < lo || x > hi) throw refuse();
  return x;
}

}  // namespace cyberloss::bindings

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
