#include "cyberloss/engine.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>

#include "cyberloss/vecmath.hpp"
#include "simd/kernels.hpp"
#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif
#if defined(_WIN32)
#define NOMINMAX
#include <windows.h>
#endif
#if defined(__APPLE__)
#include <mach/mach.h>
#endif

namespace cyberloss {

AttackType::AttackType(std::string name_, std::shared_ptr<const Frequency> frequency_,
                       std::shared_ptr<const Severity> severity_)
    : name(std::move(name_)), frequency(std::move(frequency_)), severity(std::move(severity_)) {
  if (name.empty()) throw std::invalid_argument("attack type name must not be empty");
  if (!frequency) throw std::invalid_argument("attack type '" + name + "': frequency is missing");
  if (!severity) throw std::invalid_argument("attack type '" + name + "': severity is missing");
}

Model::Model(std::vector<AttackType> types) : types_(std::move(types)) {
  if (types_.empty()) throw std::invalid_argument("model needs at least one attack type, got 0");
  if (types_.size() > 0xFFFF)
    throw std::invalid_argument("model has too many attack types: " +
                                std::to_string(types_.size()));
  for (std::size_t i = 0; i < types_.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (types_[i].name == types_[j].name)
        throw std::invalid_argument("attack type names must be unique, got '" + types_[i].name +
                                    "' twice");
}

double Model::expected_annual_loss() const {
  double total = 0.0;
  for (const auto& t : types_) total += t.frequency->mean() * t.severity->mean();
  return total;
}

double Model::annual_loss_variance() const {
  double total = 0.0;
  for (const auto& t : types_) {
    const double ex = t.severity->mean();
    total += t.frequency->variance() * ex * ex + t.frequency->mean() * t.severity->variance();
  }
  return total;
}

namespace {

std::string brief(double value) {
  std::ostringstream os;
  os.precision(3);
  os << value;
  return os.str();
}

}  // namespace

namespace {

// E[X^k; X <= x] for k = 1, 2 with x = upper_quantile(q). The first from the closed-form
// limited expected value, E[min(X, x)] - x q (P(X > x) = q at the q-upper quantile), whose
// difference from the mean is the tail's share E[X; X > x] to about 1e-16 of the mean: a
// quadrature of the whole body, as before, left an error (2e-4 of a lognormal's mean, Q(u)
// not smooth at u = 0) that a long run's standard error mistook for a mean out of reach. The
// second, for the standard error only, is the integral of Q(u)^2 over u in (0, 1 - q) with
// u = 1 - e^-v (the upper tail resolved down to tiny q) by Simpson's rule.
std::array<double, 2> truncated_moments(const Severity& severity, double q) {
  if (q >= 1.0) return {0.0, 0.0};
  const double x = severity.upper_quantile(q);
  constexpr int kSteps = 2048;
  const double end = -vecmath::log(q), h = end / kSteps;
  double second = 0.0;
  for (int i = 0; i <= kSteps; ++i) {
    const double v = i * h, weight = (i == 0 || i == kSteps) ? 1.0 : (i % 2 ? 4.0 : 2.0);
    const double y = severity.upper_quantile(vecmath::exp(-v));
    second += weight * y * y * vecmath::exp(-v);
  }
  return {std::max(0.0, severity.lev(x) - x * q), second * h / 3.0};
}

}  // namespace

std::vector<std::string> Model::reliability_warnings(std::uint64_t years) const {
  if (years == 0) throw std::invalid_argument("years must be >= 1, got 0");
  // One line per finding, naming the attack types concerned.
  struct Types {
    std::string list;
    int count = 0;
    void add(const std::string& item) { list += (count++ ? ", " : "") + item; }
    std::string named() const { return (count > 1 ? "attack types " : "attack type ") + list; }
  } infinite_mean, infinite_variance, rough_se;
  const std::size_t T = types_.size();
  std::vector<double> contribution(T, 0.0);
  for (std::size_t t = 0; t < T; ++t) {
    const AttackType& type = types_[t];
    const double limit = type.severity->moment_limit();
    const std::string order = "moments below order " + brief(limit) + " only";
    try {
      contribution[t] = type.frequency->mean() * type.severity->mean();
    } catch (const std::domain_error&) {
      infinite_mean.add("'" + type.name + "' (" +
                        (limit <= 1.0 ? order : std::string("beyond double precision")) + ")");
      continue;
    }
    if (limit <= 2.0) infinite_variance.add("'" + type.name + "' (" + order + ")");
  }
  std::vector<std::string> out;
  if (infinite_mean.count)
    out.push_back(infinite_mean.named() +
                  ": the mean loss per incident is not finite, "
                  "so the sample mean and its standard error estimate nothing");
  if (infinite_variance.count)
    out.push_back(infinite_variance.named() +
                  ": the variance of a loss is infinite, so "
                  "the standard error of the mean is undefined and the one reported understates "
                  "the uncertainty");
  double total = 0.0;
  for (double c : contribution) total += c;
  if (infinite_mean.count || !(total > 0.0)) return out;

  // Reach: x_t is the loss that 95% of runs of this length never exceed in any incident of
  // type t (per-incident exceedance q_t = -ln(0.95) / (years E[N_t])). What lies above it,
  // B = sum_t E[N_t] E[X_t; X_t > x_t], is part of the exact mean that 95% of runs do not
  // see; S is the standard error of the annual mean when the losses stop at x_t, about what
  // those runs report. B > 3 S: the exact mean is out of the sample's reach.
  const double n = static_cast<double>(years);
  double missed = 0.0, variance = 0.0, worst = 0.0, worst_loss = 0.0;
  std::size_t worst_type = 0;
  for (std::size_t t = 0; t < T; ++t) {
    const AttackType& type = types_[t];
    const double en = type.frequency->mean();
    if (!(en > 0.0)) continue;
    const double q = -vecmath::log(0.95) / (n * en);
    const auto m = truncated_moments(*type.severity, q);
    const double beyond = en * std::max(0.0, type.severity->mean() - m[0]);
    missed += beyond;
    variance += en * m[1] + (type.frequency->variance() - en) * m[0] * m[0];
    if (beyond > worst) {
      worst = beyond;
      worst_type = t;
      worst_loss = q < 1.0 ? type.severity->upper_quantile(q) : 0.0;
    }
  }
  const double se = std::sqrt(std::max(0.0, variance) / n);
  if (missed > 3.0 * se)
    out.push_back("the exact mean is out of reach of " + std::to_string(years) +
                  " simulated years: " + brief(100.0 * missed / total) +
                  "% of the expected annual loss comes from losses that 95% of such runs never "
                  "see (for attack type '" +
                  types_[worst_type].name + "', losses above " + brief(worst_loss) + " JPY), " +
                  (se > 0.0 ? brief(missed / se) + " times" : std::string("far beyond")) +
                  " the standard error those runs report; the sample mean will most likely fall "
                  "far short of the exact mean (" +
                  brief(total) + " JPY a year) without its standard error showing it");

  for (std::size_t t = 0; t < T; ++t) {
    const AttackType& type = types_[t];
    const double share = contribution[t] / total, limit = type.severity->moment_limit();
    // Below 1% of the expected annual loss a type cannot move the annual mean much.
    if (share >= 0.01 && limit > 2.0 && limit <= 4.0)
      rough_se.add("'" + type.name + "' (" + brief(100.0 * share) +
                   "% of the expected annual loss, moments below order " + brief(limit) + " only)");
  }
  if (rough_se.count)
    out.push_back(rough_se.named() +
                  ": the fourth moment of a loss is infinite, so "
                  "the standard error of the mean is itself very uncertain; read it as a rough "
                  "guide");
  return out;
}

double available_memory_bytes() {
#if defined(__linux__)
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  double value;
  std::string unit;
  while (meminfo >> key >> value >> unit)
    if (key == "MemAvailable:") return value * 1024.0;
  const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return static_cast<double>(pages) * static_cast<double>(page);
#elif defined(_WIN32)
  MEMORYSTATUSEX status;
  status.dwLength = sizeof status;
  return GlobalMemoryStatusEx(&status) ? static_cast<double>(status.ullAvailPhys) : 0.0;
#elif defined(__APPLE__)
  // Free and inactive (reclaimable) pages.
  vm_statistics64_data_t vm;
  mach_msg_type_number_t count = HOST_VM_INFO64_COUNT;
  if (host_statistics64(mach_host_self(), HOST_VM_INFO64, reinterpret_cast<host_info64_t>(&vm),
                        &count) != KERN_SUCCESS)
    return detail::physical_memory_bytes();
  return (static_cast<double>(vm.free_count) + static_cast<double>(vm.inactive_count)) *
         static_cast<double>(sysconf(_SC_PAGESIZE));
#else
  return detail::physical_memory_bytes();
#endif
}

void check_years(std::uint64_t first_year, std::uint64_t years) {
  if (years == 0) throw std::invalid_argument("years must be >= 1, got 0");
  if (years > max_year_end)
    throw std::invalid_argument("years must be <= 2^63, got " + std::to_string(years));
  if (first_year > max_year_end - years)
    throw std::invalid_argument(
        "first_year + years must be <= 2^63 (year indices are in [0, 2^63)), "
        "got first_year " +
        std::to_string(first_year) + " and years " + std::to_string(years));
}

int arena_threads(int threads) {
  if (threads < 0 || threads > max_threads)
    throw std::invalid_argument("threads must be in [1, " + std::to_string(max_threads) +
                                "] (0: all cores), got " + std::to_string(threads));
  const int cores = tbb::this_task_arena::max_concurrency();
  return threads == 0 ? cores : std::min(threads, cores);
}

namespace {

// Years per inner pass of a block at most: the per-type columns of one pass stay in L2 cache
// (512 KiB for 4 types), and each kernel call (counts, runs, uniforms, quantiles, rows) is long
// enough to amortise its set-up: 4,096 years took 7% less time than 1,024 on the benchmark
// model (annual losses only, AVX-512).
constexpr std::size_t kChunk = 4096;
// Bytes of a pass's columns per (year, type): counts, sums, layered sums, and the staged output
// row (by_type and counts). A model with many types gets shorter passes, so that they stay
// within kPassBytes (at least one year per pass).
constexpr std::size_t kCellBytes = 4 + 8 + 8 + 8 + 4;
constexpr std::size_t kPassBytes = std::size_t{4} << 20;
// Severities converted at once: a pass's events of one type are taken in batches of at most
// this many (a year with more events in segments of it), so the working memory does not grow
// with the rate. Batches only regroup the same draws: the results keep their bits.
constexpr std::size_t kBatch = std::size_t{1} << 14;
// Events of a year summed without a branch (year_sums).
constexpr std::uint32_t kHead = 4;

std::size_t pass_years(std::size_t T) {
  return std::max<std::size_t>(1, std::min(kChunk, kPassBytes / (T * kCellBytes)));
}

bool layered(const SimulationOptions& o) { return o.occurrence_layer || o.aggregate_layer; }

// Per-thread working memory of a pass of L years and T types, as Scratch allocates it.
double scratch_bytes(std::size_t T, std::size_t L, bool events) {
  const double l = static_cast<double>(L), cells = static_cast<double>(T) * l;
  double bytes = cells * kCellBytes;  // counts, sums, lsums, staged rows
  bytes +=
      l * (4 + 8 + 2 * 8) + (l + 16) * (4 + 4);  // hi, run_year, stage_years; run_row, run_count
  bytes += 2.0 * static_cast<double>(kBatch + kHead - 1) * 8;  // losses, layered losses
  if (events) bytes += l * 8;                                  // event_pos
  return bytes;
}

// The parts of simulation_bytes: outputs; working memory of all threads; an event table of
// `events` rows for `years` years of T types in blocks of `block` years.
double output_bytes(const SimulationOptions& o, std::size_t T) {
  const double t = static_cast<double>(T);
  const double per_year = (o.keep_annual ? 8.0 : 0.0) + (o.keep_by_type ? 8.0 * t : 0.0) +
                          (o.keep_counts ? 4.0 * t : 0.0) + (layered(o) ? 8.0 : 0.0);
  return static_cast<double>(o.years) * per_year;
}

double working_bytes(const SimulationOptions& o, std::size_t T) {
  return arena_threads(o.threads) * scratch_bytes(T, pass_years(T), o.keep_events);
}

double event_table_bytes(double events, std::uint64_t years, std::uint64_t block, std::size_t T) {
  const double n_blocks = std::ceil(static_cast<double>(years) / static_cast<double>(block));
  const double passes =
      n_blocks * std::ceil(static_cast<double>(block) / static_cast<double>(pass_years(T)));
  // The columns; the first sweep's years with events (at most one per event, 8 bytes each) and
  // the offset of each pass and type's (8 bytes: with many types, whose passes are short, more
  // than the years themselves); each block's first event.
  return events * (8.0 + 4.0 + 4.0 + 8.0 + 8.0) +
         (passes * static_cast<double>(T) + n_blocks) * 8.0 + (n_blocks + 1.0) * 8.0;
}

std::uint64_t block_years(const SimulationOptions& o) {
  return std::min<std::uint64_t>(o.block_size ? o.block_size : 8192, o.years);
}

}  // namespace

double simulation_bytes(const Model& model, const SimulationOptions& options) {
  double bytes = output_bytes(options, model.size()) + working_bytes(options, model.size());
  if (options.keep_events && options.years) {
    double events_per_year = 0.0;
    for (const auto& t : model.types()) events_per_year += t.frequency->mean();
    bytes += event_table_bytes(static_cast<double>(options.years) * events_per_year, options.years,
                               block_years(options), model.size());
  }
  return bytes;
}

namespace {

// Per-thread working memory, reused by every block the thread runs. Columns hold one pass of
// L = pass_years(T) years: element (t, i) at t * L + i.
struct Scratch {
  std::vector<std::uint32_t> hi;       // frequency words of one type
  std::vector<std::uint32_t> counts;   // (T, L) counts, one column per type
  std::vector<double> sums;            // (T, L) annual loss per type
  std::vector<double> lsums;           // (T, L) occurrence-layered annual loss per type
  std::vector<std::uint32_t> run_row;  // years of the pass with events (of one type) ...
  std::vector<std::uint64_t> run_year;
  std::vector<std::uint32_t> run_count;    // ... and their counts
  std::vector<double> losses;              // a batch of uniforms, then their losses
  std::vector<double> layered;             // the batch's occurrence-layered losses
  std::vector<double> stage_rows;          // (L, T) output rows of a pass, staged in cache ...
  std::vector<std::int32_t> stage_counts;  // ... before one streaming copy to the result
  std::vector<double> stage_years;         // (2, L) annual and layered annual of a pass
  std::vector<std::uint64_t> event_pos;    // per year of the pass: its next row in the event table
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// What a pass needs besides the model: the run's seed, layers, and the result.
struct Pass {
  std::uint32_t seed;
  const Layer* occurrence;  // nullptr: none
  Layer aggregate;          // (0, inf): none
  bool layered;
  SimulationResult& out;
};

// Counts of one attack type for years [y0, y0 + n) into cnt.
void draw_counts(const AttackType& type, std::uint32_t seed, std::uint32_t stream, std::uint64_t y0,
                 std::size_t n, Scratch& s, std::uint32_t* cnt) {
  if (const CountTable* table = type.frequency->table()) {
    frequency_words(seed, stream, y0, n, s.hi.data());
    table->count_batch(seed, stream, y0, s.hi.data(), n, cnt);
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t c = type.frequency->count(seed, stream, y0 + i);
    if (c > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()))
      throw std::range_error("attack type '" + type.name + "': annual count " + std::to_string(c) +
                             " in year " + std::to_string(y0 + i) +
                             " exceeds the count column's limit of 2^31 - 1");
    cnt[i] = static_cast<std::uint32_t>(c);
  }
}

// Where a block's events go in the event table, when events are kept.
struct EventTable {
  std::int64_t* year;
  std::int32_t* type;
  std::int32_t* k;
  double* loss;
};

// A year's sum is ((0 + x_0) + x_1) + ... in event order. Its first Head events are added
// without a branch, those beyond the year's count replaced by +0 (their bits masked): the same
// bits, since 0 + x = x + 0 = x for the non-negative losses. Only years with more events take
// a loop, instead of a loop whose length the branch predictor cannot learn. Batches whose
// years have two events or more on average (Poisson(3): a loop for one year in five) take
// Head = kHead, the others (nearly all years with one event) Head = 2. The loss columns have
// kHead - 1 spare slots, read and masked.
inline double counted(bool in_year, double x) {
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  bits &= std::uint64_t{0} - static_cast<std::uint64_t>(in_year);
  std::memcpy(&x, &bits, sizeof bits);
  return x;
}

// The year sums of a batch of n runs (run r: row[r], count[r] events, in order in x) into
// sum[row], and with layers those of the layered losses lx into lsum[row], in one pass: the two
// chains of additions overlap, and each count is branched on once.
template <bool kLayered, std::uint32_t Head>
void year_sums(const double* x, const double* lx, const std::uint32_t* count,
               const std::uint32_t* row, std::size_t n, double* sum, double* lsum) {
  for (std::size_t e = 0, r = 0; r < n; ++r) {
    const std::uint32_t c = count[r];
    double v = x[e], lv = kLayered ? lx[e] : 0.0;
    for (std::uint32_t k = 1; k < Head; ++k) {
      v += counted(k < c, x[e + k]);
      if (kLayered) lv += counted(k < c, lx[e + k]);
    }
    for (std::uint32_t k = Head; k < c; ++k) {
      v += x[e + k];
      if (kLayered) lv += lx[e + k];
    }
    sum[row[r]] = v;
    if (kLayered) lsum[row[r]] = lv;
    e += c;
  }
}

// The severities of one attack type's events in a pass of years [p0, p0 + n): run h (year
// p0 + run_row[h] with run_count[h] events; n_events in all) gets the losses of draws 0, 1, ...
// of that year, summed in event order into sum[run_row[h]] (and, with layers, their
// occurrence-layered losses into lsum); with an event table, each loss is also written at
// event_pos[run_row[h]], which advances past the year's events of this type.
void type_severities(const Severity& severity, std::uint32_t type, const Pass& pass,
                     std::uint64_t p0, std::size_t runs, std::uint64_t n_events, Scratch& s,
                     double* sum, double* lsum, const EventTable* events) {
  const simd::Kernels& kern = simd::kernels();
  const std::uint32_t stream = stream_id(Purpose::severity, type);
  double* loss = s.losses.data();
  // The layered losses: the occurrence layer of each loss, or the losses themselves.
  double* occ = pass.occurrence ? s.layered.data() : loss;
  auto apply_layer = [&](std::size_t m) {
    if (pass.occurrence)
      kern.layer(loss, pass.occurrence->attachment, pass.occurrence->limit, occ, m);
  };
  auto record = [&](std::uint32_t row, std::uint64_t k0, const double* x, std::size_t m) {
    std::uint64_t& e = s.event_pos[row];
    for (std::size_t j = 0; j < m; ++j, ++e) {
      events->year[e] = static_cast<std::int64_t>(p0 + row);
      events->type[e] = static_cast<std::int32_t>(type);
      events->k[e] = static_cast<std::int32_t>(k0 + j);
      events->loss[e] = x[j];
    }
  };
  std::size_t h = 0;
  std::uint64_t left = n_events;  // events of runs h, h + 1, ...
  while (h < runs) {
    if (s.run_count[h] > kBatch) {
      // A year with more events than a batch: its draws in segments, summed in order.
      const std::uint32_t row = s.run_row[h], c = s.run_count[h];
      double x = 0.0, lx = 0.0;
      for (std::uint64_t k0 = 0; k0 < c; k0 += kBatch) {
        const std::size_t m = static_cast<std::size_t>(std::min<std::uint64_t>(kBatch, c - k0));
        uniform_range(pass.seed, stream, s.run_year[h], k0, m, loss);
        severity.quantile_batch(loss, loss, m);
        apply_layer(m);
        for (std::size_t j = 0; j < m; ++j) x += loss[j];
        for (std::size_t j = 0; j < m; ++j) lx += occ[j];
        if (events) record(row, k0, loss, m);
      }
      sum[row] = x;
      if (pass.layered) lsum[row] = lx;
      left -= c;
      ++h;
      continue;
    }
    // The runs from h whose events fit a batch: all that are left, nearly always (a pass's
    // events of one type), without walking them.
    std::size_t h1 = runs, total = static_cast<std::size_t>(left);
    if (left > kBatch)
      for (h1 = h, total = 0; h1 < runs && s.run_count[h1] <= kBatch - total;)
        total += s.run_count[h1++];
    left -= total;
    uniform_runs(pass.seed, stream, s.run_year.data() + h, s.run_count.data() + h, h1 - h, loss);
    severity.quantile_batch(loss, loss, total);
    apply_layer(total);

    const std::uint32_t* count = s.run_count.data() + h;
    const std::uint32_t* row = s.run_row.data() + h;
    const bool many = total >= 2 * (h1 - h);
    if (pass.layered && many)
      year_sums<true, kHead>(loss, occ, count, row, h1 - h, sum, lsum);
    else if (pass.layered)
      year_sums<true, 2>(loss, occ, count, row, h1 - h, sum, lsum);
    else if (many)
      year_sums<false, kHead>(loss, occ, count, row, h1 - h, sum, lsum);
    else
      year_sums<false, 2>(loss, occ, count, row, h1 - h, sum, lsum);
    if (events)
      for (std::size_t e = 0; h < h1; ++h) {
        record(s.run_row[h], 0, loss + e, s.run_count[h]);
        e += s.run_count[h];
      }
    h = h1;
  }
}

// The years with events of a block's passes, by pass and type, from the first sweep of a run
// that keeps its events (the second takes its counts from them instead of drawing them again):
// runs first[q * T + t] .. first[q * T + t + 1] - 1 are those of pass q and type t, each a year
// of the pass (row) and its count.
struct BlockRuns {
  std::vector<std::uint32_t> row, count;
  std::vector<std::size_t> first{0};
};

// Counts of every type for the years [p0, p0 + n) of a pass into s.counts (column t * L): drawn,
// or those of pass q of `runs` when given.
void pass_counts(const Model& model, std::uint32_t seed, std::uint64_t p0, std::size_t n,
                 std::size_t L, Scratch& s, const BlockRuns* runs, std::size_t q) {
  const std::size_t T = model.size();
  for (std::size_t t = 0; t < T; ++t) {
    std::uint32_t* cnt = s.counts.data() + t * L;
    if (runs) {
      std::fill(cnt, cnt + n, 0u);
      for (std::size_t h = runs->first[q * T + t]; h < runs->first[q * T + t + 1]; ++h)
        cnt[runs->row[h]] = runs->count[h];
    } else {
      draw_counts(model.types()[t], seed,
                  stream_id(Purpose::frequency, static_cast<std::uint32_t>(t)), p0, n, s, cnt);
    }
  }
}

void prepare(Scratch& s, std::size_t T, std::size_t L, bool layers, bool events) {
  s.hi.resize(L);
  s.counts.resize(T * L);
  s.sums.resize(T * L);
  s.run_row.resize(L + 16);  // pack_runs writes whole vectors
  s.run_year.resize(L);
  s.run_count.resize(L + 16);
  s.losses.resize(kBatch + kHead - 1);
  s.stage_rows.resize(T * L);
  s.stage_counts.resize(T * L);
  s.stage_years.resize(2 * L);
  if (layers) {
    s.lsums.resize(T * L);
    s.layered.resize(kBatch + kHead - 1);
  }
  if (events) s.event_pos.resize(L);
}

// Counts only, for years [y0, y1), the first sweep of a run that keeps its events: it sizes the
// event table before any event is drawn. Returns the block's number of events; keeps its years
// with events in `runs`.
std::uint64_t count_block(const Model& model, std::uint32_t seed, std::uint64_t y0,
                          std::uint64_t y1, BlockRuns& runs) {
  const std::size_t T = model.size(), L = pass_years(T);
  Scratch& s = scratch();
  prepare(s, T, L, false, false);
  std::uint64_t total = 0;
  for (std::uint64_t p0 = y0; p0 < y1; p0 += L) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(L, y1 - p0));
    pass_counts(model, seed, p0, n, L, s, nullptr, 0);
    for (std::size_t t = 0; t < T; ++t) {
      const std::size_t h = simd::kernels().pack_runs(s.counts.data() + t * L, n, s.run_row.data(),
                                                      s.run_count.data());
      runs.row.insert(runs.row.end(), s.run_row.begin(),
                      s.run_row.begin() + static_cast<std::ptrdiff_t>(h));
      runs.count.insert(runs.count.end(), s.run_count.begin(),
                        s.run_count.begin() + static_cast<std::ptrdiff_t>(h));
      runs.first.push_back(runs.row.size());
      for (std::size_t j = 0; j < h; ++j) total += s.run_count[j];
    }
  }
  return total;
}

// Simulate years [y0, y1) (absolute indices) into rows [r0, r0 + y1 - y0) of the result.
// Each pass of L = pass_years(T) years takes every type's counts, then the severities of that
// type's events (draw k of year y is event k), summed per year in event order, and finally
// writes each output row once. With an event table, the counts and years with events are those
// the first sweep kept and the block's events start at row first_event of the table.
void simulate_block(const Model& model, const Pass& pass, std::uint64_t y0, std::uint64_t y1,
                    std::uint64_t r0, const EventTable* events, std::uint64_t first_event,
                    const BlockRuns* kept) {
  const std::size_t T = model.size(), L = pass_years(T);
  SimulationResult& out = pass.out;
  Scratch& s = scratch();
  prepare(s, T, L, pass.layered, events != nullptr);

  for (std::uint64_t p0 = y0; p0 < y1; p0 += L) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(L, y1 - p0));
    const std::size_t row0 = static_cast<std::size_t>(r0 + (p0 - y0));
    const std::size_t q = static_cast<std::size_t>((p0 - y0) / L);
    pass_counts(model, pass.seed, p0, n, L, s, kept, q);
    if (events) {
      // Year i's events start after those of the pass's earlier years: (year, type, k) order.
      // Each year's count over the types first (type by type: contiguous, vectorised), then
      // their running sum (one addition a year on the dependency chain, not T).
      std::uint64_t* pos = s.event_pos.data();
      for (std::size_t i = 0; i < n; ++i) pos[i] = s.counts[i];
      for (std::size_t t = 1; t < T; ++t) {
        const std::uint32_t* cnt = s.counts.data() + t * L;
        for (std::size_t i = 0; i < n; ++i) pos[i] += cnt[i];
      }
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t here = pos[i];
        pos[i] = first_event;
        first_event += here;
      }
    }
    for (std::size_t t = 0; t < T; ++t) {
      const std::uint32_t* cnt = s.counts.data() + t * L;
      // Valid where cnt != 0; the row writer reads 0 elsewhere.
      double* sum = s.sums.data() + t * L;
      double* lsum = pass.layered ? s.lsums.data() + t * L : nullptr;
      std::size_t runs;
      if (kept) {  // the first sweep's, as pack_runs gives them
        const std::size_t h0 = kept->first[q * T + t];
        runs = kept->first[q * T + t + 1] - h0;
        std::copy_n(kept->row.begin() + static_cast<std::ptrdiff_t>(h0), runs, s.run_row.begin());
        std::copy_n(kept->count.begin() + static_cast<std::ptrdiff_t>(h0), runs,
                    s.run_count.begin());
      } else {
        runs = simd::kernels().pack_runs(cnt, n, s.run_row.data(), s.run_count.data());
      }
      std::uint64_t n_events = 0;
      for (std::size_t h = 0; h < runs; ++h) {
        s.run_year[h] = p0 + s.run_row[h];
        n_events += s.run_count[h];
      }
      type_severities(*model.types()[t].severity, static_cast<std::uint32_t>(t), pass, p0, runs,
                      n_events, s, sum, lsum, events);
    }
    simd::RowPass rows;
    rows.T = T;
    rows.L = L;
    rows.n = n;
    rows.sums = s.sums.data();
    rows.counts = s.counts.data();
    if (!out.annual.empty()) rows.annual = out.annual.data() + row0;
    if (!out.by_type.empty()) rows.by_type = out.by_type.data() + row0 * T;
    if (!out.counts.empty()) rows.counts_out = out.counts.data() + row0 * T;
    if (pass.layered) {
      rows.layered_sums = s.lsums.data();
      rows.aggregate_attachment = pass.aggregate.attachment;
      rows.aggregate_limit = pass.aggregate.limit;
      rows.layered = out.layered_annual.data() + row0;
    }
    rows.stage_rows = s.stage_rows.data();
    rows.stage_counts = s.stage_counts.data();
    rows.stage_years = s.stage_years.data();
    simd::kernels().write_rows(rows);
  }
}

std::string mib(double bytes) { return format_value(std::ceil(bytes / 1048576.0)) + " MiB"; }

}  // namespace

SimulationResult simulate(const Model& model, const SimulationOptions& options) {
  check_years(options.first_year, options.years);
  if (options.block_size > max_year_end)
    throw std::invalid_argument("block_size must be <= 2^63 (0: automatic), got " +
                                std::to_string(options.block_size));
  const int threads = arena_threads(options.threads);
  for (const auto& t : model.types()) {
    // Counts are int32: refuse a frequency whose counts would come near the limit.
    const double reach = t.frequency->mean() + 10.0 * std::sqrt(t.frequency->variance());
    if (!(reach < 2147483647.0))
      throw std::invalid_argument("attack type '" + t.name + "': frequency mean " +
                                  format_value(t.frequency->mean()) +
                                  " gives annual counts beyond the limit of 2^31 - 1 per year");
  }
  const double need = simulation_bytes(model, options);
  const double have = available_memory_bytes();
  auto refuse = [&](const std::string& what, double bytes) {
    throw memory_error("simulation of " + std::to_string(options.years) + " years" +
                       (what.empty() ? "" : " " + what) + " needs about " + mib(bytes) +
                       ", but only " + format_value(std::floor(have / 1048576.0)) +
                       " MiB are available; simulate fewer years per run");
  };
  if (need > 0.8 * have) refuse(options.keep_events ? "with its events" : "", need);

  const detail::PrefaultCancel outputs_cancelled(options.cancel);
  SimulationResult out;
  out.years = options.years;
  out.first_year = options.first_year;
  out.seed = options.seed;
  out.n_types = model.size();
  for (const auto& t : model.types()) out.type_names.push_back(t.name);
  const std::size_t n = static_cast<std::size_t>(options.years);
  // Uninitialised: every block writes each of its rows exactly once.
  if (options.keep_annual) out.annual.resize(n);
  if (options.keep_by_type) out.by_type.resize(n * out.n_types);
  if (options.keep_counts) out.counts.resize(n * out.n_types);
  if (layered(options)) out.layered_annual.resize(n);
  const Pass pass{options.seed, options.occurrence_layer ? &*options.occurrence_layer : nullptr,
                  options.aggregate_layer.value_or(Layer()), layered(options), out};

  // years <= 2^63 and block <= years: none of the block arithmetic below can wrap.
  const std::uint64_t block = block_years(options);
  const std::uint64_t n_blocks = options.years / block + (options.years % block != 0);
  auto block_end = [&](std::uint64_t r0) { return r0 + std::min(block, options.years - r0); };
  std::atomic<bool> stopped{false};
  tbb::task_arena arena(threads);
  auto for_blocks = [&](auto body) {
    arena.execute([&] {
      tbb::parallel_for(
          tbb::blocked_range<std::uint64_t>(0, n_blocks, 1),
          [&](const tbb::blocked_range<std::uint64_t>& range) {
            for (std::uint64_t b = range.begin(); b != range.end(); ++b) {
              if (options.cancel && options.cancel->load(std::memory_order_relaxed)) {
                stopped = true;
                return;
              }
              body(b, b * block, block_end(b * block));
            }
          },
          tbb::simple_partitioner());
    });
    if (stopped) throw cancelled("simulation cancelled");
  };

  if (!options.keep_events) {
    for_blocks([&](std::uint64_t, std::uint64_t r0, std::uint64_t r1) {
      simulate_block(model, pass, options.first_year + r0, options.first_year + r1, r0, nullptr, 0,
                     nullptr);
      if (options.years_done) *options.years_done += r1 - r0;
    });
    return out;
  }

  // With events: the counts first (each block keeping its years with events), then the event
  // table at its exact size, then each block, its counts taken from those instead of drawn
  // again, writes its events straight to their rows.
  std::vector<std::uint64_t> first_event(static_cast<std::size_t>(n_blocks) + 1, 0);
  std::vector<BlockRuns> runs(static_cast<std::size_t>(n_blocks));
  for_blocks([&](std::uint64_t b, std::uint64_t r0, std::uint64_t r1) {
    first_event[static_cast<std::size_t>(b) + 1] =
        count_block(model, options.seed, options.first_year + r0, options.first_year + r1,
                    runs[static_cast<std::size_t>(b)]);
  });
  std::partial_sum(first_event.begin(), first_event.end(), first_event.begin());
  const double events = static_cast<double>(first_event.back());
  const double exact = output_bytes(options, model.size()) + working_bytes(options, model.size()) +
                       event_table_bytes(events, options.years, block, model.size());
  if (exact > 0.8 * have) refuse("with its " + format_value(events) + " events", exact);
  const std::size_t total = static_cast<std::size_t>(first_event.back());
  out.event_year.resize(total);
  out.event_type.resize(total);
  out.event_k.resize(total);
  out.event_loss.resize(total);
  const EventTable table{out.event_year.data(), out.event_type.data(), out.event_k.data(),
                         out.event_loss.data()};
  for_blocks([&](std::uint64_t b, std::uint64_t r0, std::uint64_t r1) {
    BlockRuns& block_runs = runs[static_cast<std::size_t>(b)];
    simulate_block(model, pass, options.first_year + r0, options.first_year + r1, r0, &table,
                   first_event[static_cast<std::size_t>(b)], &block_runs);
    block_runs = BlockRuns();
    if (options.years_done) *options.years_done += r1 - r0;
  });
  return out;
}

}  // namespace cyberloss
