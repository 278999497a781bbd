// Shared helpers for the binding translation units. No model logic here.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <future>

#include "cyberloss/engine.hpp"
#include "cyberloss/portfolio.hpp"
#include "cyberloss/reinsurance.hpp"
#include "cyberloss/stats.hpp"

namespace py = pybind11;

namespace cyberloss::bindings {

void register_random(py::module_& m);
void register_distributions(py::module_& m);
void register_engine(py::module_& m);
void register_stats(py::module_& m);
void register_portfolio(py::module_& m);
void register_incident(py::module_& m);
void register_terms(py::module_& m);
void register_reinsurance(py::module_& m);

// Integer arguments read from any Python integer (NumPy's too) and refused with ValueError
// naming the argument and the value when out of [lo, hi] or not an integer (pybind11's own
// conversion would raise a TypeError that names neither).
long long integer_arg(const char* name, const py::handle& value, long long lo, long long hi);
inline std::uint32_t seed_arg(const py::handle& value) {
  return static_cast<std::uint32_t>(integer_arg("seed", value, 0, 0xffffffffLL));
}
inline std::uint32_t stream_arg(const py::handle& value) {
  return static_cast<std::uint32_t>(integer_arg("stream", value, 0, 0xffffffffLL));
}
inline std::size_t count_arg(const char* name, const py::handle& value) {
  return static_cast<std::size_t>(integer_arg(name, value, 1, 0x7fffffffffffffffLL));
}
// The size n of a stand-alone sample (8 bytes a value), refused before the core allocates it
// when the available memory cannot hold it (std::bad_alloc or a vector's max_size otherwise).
inline std::size_t sample_count_arg(const py::handle& value) {
  const std::size_t n = count_arg("n", value);
  const double need = 8.0 * static_cast<double>(n), have = available_memory_bytes();
  if (need > have) {
    char text[256];
    std::snprintf(text, sizeof text,
                  "a sample of n = %zu values needs about %.3g GiB at its peak, %.1f GiB is "
                  "available: ask for fewer values (n), or draw them in pieces",
                  n, need / 1073741824.0, have / 1073741824.0);
    throw memory_error(text);
  }
  return n;
}

// A ranking of a sparse sample's stored values with the array it refers to, kept alive as long
// as the ranking.
struct RankingOf {
  py::array_t<double, py::array::c_style | py::array::forcecast> values;
  stats::Ranking ranking;
};

// A NumPy array that takes over the vector's storage (no copy).
template <class T, class A>
py::array_t<T> to_array(std::vector<T, A>&& v, std::vector<py::ssize_t> shape) {
  auto* owner = new std::vector<T, A>(std::move(v));
  py::capsule free_when_done(owner, [](void* p) { delete static_cast<std::vector<T, A>*>(p); });
  return py::array_t<T>(shape, owner->data(), free_when_done);
}
template <class T, class A>
py::array_t<T> to_array(std::vector<T, A>&& v) {
  const auto n = static_cast<py::ssize_t>(v.size());
  return to_array(std::move(v), {n});
}

// The year-loss-table columns of the rows (gross, ceded, net, ceded_<contract>,
// reinstatement_premium), one NumPy array each.
py::dict reinsurance_columns(const std::vector<ReinsuranceYear>& rows);

// A copy of the dict of portfolio_events (theta and counts (years, n_types), per-event year,
// type, k, policy, u) as the core's events of years [first_year, first_year + years).
PortfolioEvents events_from_dict(const py::dict& events, std::uint64_t first_year);

// f() run with the GIL released; its vector becomes a NumPy array without a copy.
template <class F>
auto release_and_array(F f) {
  decltype(f()) v;
  {
    py::gil_scoped_release release;
    v = f();
  }
  return to_array(std::move(v));
}

// A read-only NumPy view of `size` elements at `data`, kept alive by `owner` (no copy).
template <class T>
py::array_t<T> view(const T* data, std::vector<py::ssize_t> shape, py::handle owner) {
  py::array_t<T> a(shape, data, owner);
  py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return a;
}

// Apply f to every element of x with the GIL released (f is C++ only); a 0-d input gives a
// Python scalar, otherwise an array of the same shape.
template <class R, class In, class F>
py::object map_elements(const py::array_t<In, py::array::c_style | py::array::forcecast>& x, F f) {
  const In* in = x.data();
  if (x.ndim() == 0) {
    R value;
    {
      py::gil_scoped_release release;
      value = f(in[0]);
    }
    return py::cast(value);
  }
  py::array_t<R> out(x.request().shape);
  R* o = out.mutable_data();
  const py::ssize_t n = x.size();
  {
    py::gil_scoped_release release;
    for (py::ssize_t i = 0; i < n; ++i) o[i] = f(in[i]);
  }
  return std::move(out);
}

// Run `work` on a worker thread with the GIL released, checking for Ctrl-C every 20 ms.
// On a signal, `cancel` is set, the worker is awaited (it stops at its next block and its
// partial output is discarded) and the Python exception (KeyboardInterrupt) is raised.
// `progress`, if given, is called with the GIL held about twice a second; if it raises (a
// user's callback, or Ctrl-C while a progress bar's Python code runs), the run is stopped the
// same way and its exception raised.
template <class R>
R run_interruptible(std::function<R()> work, std::atomic<bool>& cancel,
                    const std::function<void()>& progress = {}) {
  std::future<R> result = std::async(std::launch::async, std::move(work));
  bool interrupted = false;
  std::exception_ptr progress_failed;
  {
    py::gil_scoped_release release;
    auto last = std::chrono::steady_clock::now();
    while (result.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready) {
      py::gil_scoped_acquire acquire;
      if (PyErr_CheckSignals() != 0) {
        interrupted = true;
        cancel = true;
        break;
      }
      if (progress && std::chrono::steady_clock::now() - last > std::chrono::milliseconds(500)) {
        try {
          progress();
        } catch (...) {
          progress_failed = std::current_exception();
          cancel = true;
          break;
        }
        last = std::chrono::steady_clock::now();
      }
    }
    result.wait();
  }
  if (interrupted || progress_failed) {
    try {
      result.get();
    } catch (...) {
    }
    if (progress_failed) std::rethrow_exception(progress_failed);
    throw py::error_already_set();
  }
  return result.get();
}

// A dict of arrays, one per field, from a vector of result rows (structs of doubles).
template <class Row>
py::dict columns_dict(const std::vector<Row>& rows,
                      std::initializer_list<std::pair<const char*, double Row::*>> fields) {
  py::dict d;
  for (const auto& [name, member] : fields) {
    py::array_t<double> a(static_cast<py::ssize_t>(rows.size()));
    double* out = a.mutable_data();
    for (const Row& r : rows) *out++ = r.*member;
    d[name] = a;
  }
  return d;
}

// Risk measures and EP points as dicts of arrays.
inline py::dict tail_dict(const std::vector<stats::TailEstimate>& rows) {
  using T = stats::TailEstimate;
  return columns_dict(rows, {{"level", &T::level},
                             {"var", &T::var},
                             {"var_se", &T::var_se},
                             {"tvar", &T::tvar},
                             {"tvar_se", &T::tvar_se}});
}

inline py::dict ep_dict(const std::vector<stats::EpPoint>& rows) {
  using E = stats::EpPoint;
  return columns_dict(rows, {{"return_period", &E::return_period},
                             {"aep", &E::aep},
                             {"aep_se", &E::aep_se},
                             {"oep", &E::oep},
                             {"oep_se", &E::oep_se}});
}

// Engine options from a binding's arguments.
inline SimulationOptions simulation_options(std::uint64_t years, std::uint32_t seed, int threads,
                                            std::uint64_t block_size, std::uint64_t first_year) {
  SimulationOptions o;
  o.years = years;
  o.seed = seed;
  o.threads = threads;
  o.block_size = block_size;
  o.first_year = first_year;
  return o;
}

// run(options) on a worker with Ctrl-C and, if `progress` is not None, progress(done, years)
// about twice a second and once at the end.
template <class R, class F>
R run_simulation(SimulationOptions o, const py::object& progress, F&& run) {
  std::atomic<bool> cancel{false};
  std::atomic<std::uint64_t> done{0};
  o.cancel = &cancel;
  o.years_done = &done;
  std::function<void()> report;
  if (!progress.is_none()) report = [&] { progress(done.load(), o.years); };
  R result = run_interruptible<R>([&] { return run(o); }, cancel, report);
  if (report) report();
  return result;
}

}  // namespace cyberloss::bindings
