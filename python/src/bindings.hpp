// Shared helpers for the binding translation units. No model logic here.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>

namespace py = pybind11;

namespace cyberloss::bindings {

void register_random(py::module_& m);
void register_distributions(py::module_& m);
void register_engine(py::module_& m);
void register_stats(py::module_& m);
void register_portfolio(py::module_& m);

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
// `progress`, if given, is called with the GIL held about twice a second.
template <class R>
R run_interruptible(std::function<R()> work, std::atomic<bool>& cancel,
                    const std::function<void()>& progress = {}) {
  std::future<R> result = std::async(std::launch::async, std::move(work));
  bool interrupted = false;
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
        progress();
        last = std::chrono::steady_clock::now();
      }
    }
    result.wait();
  }
  if (interrupted) {
    try {
      result.get();
    } catch (...) {
    }
    throw py::error_already_set();
  }
  return result.get();
}

}  // namespace cyberloss::bindings
