#include "cyberloss/engine.hpp"

#include "left_pack.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <numeric>
#include <type_traits>
#include <unistd.h>
#if defined(__AVX2__)
#include <immintrin.h>
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
    throw std::invalid_argument("model has too many attack types: " + std::to_string(types_.size()));
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

double available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  double value;
  std::string unit;
  while (meminfo >> key >> value >> unit)
    if (key == "MemAvailable:") return value * 1024.0;
  const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return static_cast<double>(pages) * static_cast<double>(page);
}

void check_years(std::uint64_t first_year, std::uint64_t years) {
  if (years == 0) throw std::invalid_argument("years must be >= 1, got 0");
  if (years > max_year_end)
    throw std::invalid_argument("years must be <= 2^63, got " + std::to_string(years));
  if (first_year > max_year_end - years)
    throw std::invalid_argument("first_year + years must be <= 2^63 (year indices are in [0, 2^63)), "
                                "got first_year " + std::to_string(first_year) + " and years " +
                                std::to_string(years));
}

int arena_threads(int threads) {
  if (threads < 0 || threads > max_threads)
    throw std::invalid_argument("threads must be in [1, " + std::to_string(max_threads) +
                                "] (0: all cores), got " + std::to_string(threads));
  const int cores = tbb::this_task_arena::max_concurrency();
  return threads == 0 ? cores : std::min(threads, cores);
}

namespace {

// Years per inner pass of a block at most: the per-type columns of one pass stay in L1/L2
// cache.
constexpr std::size_t kChunk = 1024;
// Bytes of a pass's columns per (year, type): counts, sums, and the staged output row (by_type
// and counts). A model with many types gets shorter passes, so that they stay within
// kPassBytes (at least one year per pass).
constexpr std::size_t kCellBytes = 4 + 8 + 8 + 4;
constexpr std::size_t kPassBytes = std::size_t{4} << 20;
// Severities converted at once: a pass's events of one type are taken in batches of at most
// this many (a year with more events in segments of it), so the working memory does not grow
// with the rate. Batches only regroup the same draws: the results keep their bits.
constexpr std::size_t kBatch = std::size_t{1} << 14;

std::size_t pass_years(std::size_t T) {
  return std::max<std::size_t>(1, std::min(kChunk, kPassBytes / (T * kCellBytes)));
}

// Per-thread working memory of a pass of L years and T types, as Scratch allocates it.
double scratch_bytes(std::size_t T, std::size_t L, bool events) {
  const double l = static_cast<double>(L), cells = static_cast<double>(T) * l;
  double bytes = cells * kCellBytes;                  // counts, sums, row_by_type, row_counts
  bytes += l * (4 + 8 + 8) + (l + 8) * (4 + 4);        // hi, row_annual, run_year; run_row, run_count
  bytes += static_cast<double>(kBatch + 1) * 8;       // losses
  if (events) bytes += l * 8;                         // event_pos
  return bytes;
}

// The parts of simulation_bytes: outputs; working memory of all threads; an event table of
// `events` rows with the offsets of n_blocks blocks.
double output_bytes(const SimulationOptions& o, std::size_t T) {
  return static_cast<double>(o.years) * (8.0 + static_cast<double>(T) * (8.0 + 4.0));
}

double working_bytes(const SimulationOptions& o, std::size_t T) {
  return arena_threads(o.threads) * scratch_bytes(T, pass_years(T), o.keep_events);
}

double event_table_bytes(double events, std::uint64_t n_blocks) {
  return events * (8.0 + 4.0 + 4.0 + 8.0) + (static_cast<double>(n_blocks) + 1.0) * 8.0;
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
    const std::uint64_t block = block_years(options);
    bytes += event_table_bytes(static_cast<double>(options.years) * events_per_year,
                               options.years / block + 1);
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
  std::vector<std::uint32_t> run_row;  // years of the pass with events (of one type) ...
  std::vector<std::uint64_t> run_year;
  std::vector<std::uint32_t> run_count;  // ... and their counts
  std::vector<double> losses;            // a batch of uniforms, then their losses
  std::vector<double> row_by_type;       // (L, T) output rows of a pass, staged in cache ...
  std::vector<std::int32_t> row_counts;  // ... before one streaming copy to the result
  std::vector<double> row_annual;
  std::vector<std::uint64_t> event_pos;  // per year of the pass: its next row in the event table
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// Counts of one attack type for years [y0, y0 + n) into cnt.
void draw_counts(const AttackType& type, std::uint32_t seed, std::uint32_t stream,
                 std::uint64_t y0, std::size_t n, Scratch& s, std::uint32_t* cnt) {
  if (const CountTable* table = type.frequency->table()) {
    frequency_words(seed, stream, y0, n, s.hi.data());
    table->count_batch(seed, stream, y0, s.hi.data(), n, cnt);
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t c = type.frequency->count(seed, stream, y0 + i);
    if (c > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()))
      throw std::range_error("attack type '" + type.name + "': annual count " +
                             std::to_string(c) + " in year " + std::to_string(y0 + i) +
                             " exceeds the count column's limit of 2^31 - 1");
    cnt[i] = static_cast<std::uint32_t>(c);
  }
}

// Rows of the pass with events: run_row/run_count get the years (pass-relative) with a
// nonzero count and those counts, in year order; returns how many. Both arrays need n + 8
// elements (the vector loop stores whole registers).
std::size_t pack_runs(const std::uint32_t* cnt, std::size_t n, std::uint32_t* run_row,
                      std::uint32_t* run_count) {
  std::size_t runs = 0, i = 0;
#if defined(__AVX2__)
  const auto& pack = detail::left_pack_table();
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (; i + 8 <= n; i += 8) {
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cnt + i));
    const unsigned mask = static_cast<unsigned>(_mm256_movemask_ps(
                              _mm256_castsi256_ps(_mm256_cmpeq_epi32(c, _mm256_setzero_si256())))) ^
                          0xFFu;
    const __m256i perm = _mm256_cvtepu8_epi32(
        _mm_loadl_epi64(reinterpret_cast<const __m128i*>(pack[mask].data())));
    const __m256i rows = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(i)), lanes);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(run_row + runs),
                        _mm256_permutevar8x32_epi32(rows, perm));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(run_count + runs),
                        _mm256_permutevar8x32_epi32(c, perm));
    runs += static_cast<std::size_t>(__builtin_popcount(mask));
  }
#endif
  for (; i < n; ++i) {
    run_row[runs] = static_cast<std::uint32_t>(i);
    run_count[runs] = cnt[i];
    runs += cnt[i] != 0;
  }
  return runs;
}

// Output rows of a pass from the per-type columns: by_type (0 where the count is 0) and
// counts row by row, and annual = ((0 + type 0) + type 1) + ... in type order. T fixed at compile time for the usual
// small models so that the inner loop disappears.
template <class Count>
void write_rows_any(Count T, const double* sums, const std::uint32_t* cnt, std::size_t L,
                    std::size_t n, double* by_type, std::int32_t* counts, double* annual) {
  for (std::size_t i = 0; i < n; ++i) {
    double x = 0.0;
    for (std::size_t t = 0; t < T; ++t) {
      const double v = cnt[t * L + i] ? sums[t * L + i] : 0.0;
      by_type[i * T + t] = v;
      counts[i * T + t] = static_cast<std::int32_t>(cnt[t * L + i]);
      x += v;
    }
    annual[i] = x;
  }
}

template <std::size_t T>
void write_rows_fixed(const double* sums, const std::uint32_t* cnt, std::size_t L, std::size_t n,
                      double* by_type, std::int32_t* counts, double* annual) {
  write_rows_any(std::integral_constant<std::size_t, T>{}, sums, cnt, L, n, by_type, counts,
                 annual);
}

#if defined(__AVX2__)
// T = 4 with 4x4 register transposes: four years per step. The same IEEE additions in the
// same order as write_rows_fixed. The stores are non-temporal (see stream_copy) where the
// destination rows are aligned, which they are for large results except at odd block starts.
void write_rows4(const double* sums, const std::uint32_t* cnt, std::size_t L, std::size_t n,
                 double* by_type, std::int32_t* counts, double* annual) {
  auto misaligned = [](const void* p, std::uintptr_t a) {
    return reinterpret_cast<std::uintptr_t>(p) % a != 0;
  };
  if (misaligned(by_type, 32) || misaligned(counts, 16) || misaligned(annual, 8))
    return write_rows_fixed<4>(sums, cnt, L, n, by_type, counts, annual);
  // Rows before the first whole 32-byte line of annual go the ordinary way.
  const std::size_t head =
      std::min(n, (32 - reinterpret_cast<std::uintptr_t>(annual) % 32) % 32 / sizeof(double));
  write_rows_fixed<4>(sums, cnt, L, head, by_type, counts, annual);
  std::size_t i = head;
  for (; i + 4 <= n; i += 4) {
    __m256d v[4];
    __m128i c[4];
    __m256d x = _mm256_setzero_pd();
    for (std::size_t t = 0; t < 4; ++t) {
      c[t] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(cnt + t * L + i));
      const __m256i zero = _mm256_cvtepi32_epi64(_mm_cmpeq_epi32(c[t], _mm_setzero_si128()));
      v[t] = _mm256_andnot_pd(_mm256_castsi256_pd(zero), _mm256_loadu_pd(sums + t * L + i));
      x = _mm256_add_pd(x, v[t]);
    }
    _mm256_stream_pd(annual + i, x);
    const __m256d a = _mm256_unpacklo_pd(v[0], v[1]), b = _mm256_unpackhi_pd(v[0], v[1]);
    const __m256d e = _mm256_unpacklo_pd(v[2], v[3]), f = _mm256_unpackhi_pd(v[2], v[3]);
    double* row = by_type + i * 4;
    _mm256_stream_pd(row + 0, _mm256_permute2f128_pd(a, e, 0x20));
    _mm256_stream_pd(row + 4, _mm256_permute2f128_pd(b, f, 0x20));
    _mm256_stream_pd(row + 8, _mm256_permute2f128_pd(a, e, 0x31));
    _mm256_stream_pd(row + 12, _mm256_permute2f128_pd(b, f, 0x31));
    const __m128i p = _mm_unpacklo_epi32(c[0], c[1]), q = _mm_unpackhi_epi32(c[0], c[1]);
    const __m128i r = _mm_unpacklo_epi32(c[2], c[3]), u = _mm_unpackhi_epi32(c[2], c[3]);
    __m128i* crow = reinterpret_cast<__m128i*>(counts + i * 4);
    _mm_stream_si128(crow + 0, _mm_unpacklo_epi64(p, r));
    _mm_stream_si128(crow + 1, _mm_unpackhi_epi64(p, r));
    _mm_stream_si128(crow + 2, _mm_unpacklo_epi64(q, u));
    _mm_stream_si128(crow + 3, _mm_unpackhi_epi64(q, u));
  }
  write_rows_fixed<4>(sums + i, cnt + i, L, n - i, by_type + i * 4, counts + i * 4, annual + i);
  _mm_sfence();
}
#endif

// Copies bytes from src (in cache) to dst (the result) with non-temporal stores where dst is
// 32-byte aligned: the result is written once and not read back soon, so the stores bypass the
// cache instead of first reading every destination line (which halves the memory traffic of
// a large run). Ends with a store fence so the data is visible to the thread that joins.
#if defined(__AVX2__)
void stream_copy(void* dst, const void* src, std::size_t bytes) {
  auto* d = static_cast<unsigned char*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
  const std::size_t head = std::min(bytes, (32 - reinterpret_cast<std::uintptr_t>(d) % 32) % 32);
  std::memcpy(d, s, head);
  std::size_t i = head;
  for (; i + 32 <= bytes; i += 32)
    _mm256_stream_si256(reinterpret_cast<__m256i*>(d + i),
                        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i)));
  std::memcpy(d + i, s + i, bytes - i);
  _mm_sfence();
}
#endif

void write_rows_staged(std::size_t T, const double* sums, const std::uint32_t* cnt,
                       std::size_t L, std::size_t n, double* by_type, std::int32_t* counts,
                       double* annual) {
  switch (T) {
    case 1: return write_rows_fixed<1>(sums, cnt, L, n, by_type, counts, annual);
    case 2: return write_rows_fixed<2>(sums, cnt, L, n, by_type, counts, annual);
    case 3: return write_rows_fixed<3>(sums, cnt, L, n, by_type, counts, annual);
    case 4: return write_rows_fixed<4>(sums, cnt, L, n, by_type, counts, annual);
    case 5: return write_rows_fixed<5>(sums, cnt, L, n, by_type, counts, annual);
    case 6: return write_rows_fixed<6>(sums, cnt, L, n, by_type, counts, annual);
    case 7: return write_rows_fixed<7>(sums, cnt, L, n, by_type, counts, annual);
    case 8: return write_rows_fixed<8>(sums, cnt, L, n, by_type, counts, annual);
    default: break;
  }
  write_rows_any(T, sums, cnt, L, n, by_type, counts, annual);
}

// The output rows of a pass: T = 4 straight to the result; otherwise staged in cache (in s)
// and copied with streaming stores. Without AVX2, written directly.
void write_rows(std::size_t T, const double* sums, const std::uint32_t* cnt, std::size_t L,
                std::size_t n, double* by_type, std::int32_t* counts, double* annual,
                Scratch& s) {
#if defined(__AVX2__)
  if (T == 4) return write_rows4(sums, cnt, L, n, by_type, counts, annual);
  write_rows_staged(T, sums, cnt, L, n, s.row_by_type.data(), s.row_counts.data(),
                    s.row_annual.data());
  stream_copy(by_type, s.row_by_type.data(), n * T * sizeof(double));
  stream_copy(counts, s.row_counts.data(), n * T * sizeof(std::int32_t));
  stream_copy(annual, s.row_annual.data(), n * sizeof(double));
#else
  (void)s;
  write_rows_staged(T, sums, cnt, L, n, by_type, counts, annual);
#endif
}

// Where a block's events go in the event table, when events are kept.
struct EventTable {
  std::int64_t* year;
  std::int32_t* type;
  std::int32_t* k;
  double* loss;
};

// The severities of one attack type's events in a pass of years [p0, p0 + n): run h (year
// p0 + run_row[h] with run_count[h] events) gets the losses of draws 0, 1, ... of that year,
// summed in event order into sum[run_row[h]]; with an event table, each loss is also written
// at event_pos[run_row[h]], which advances past the year's events of this type.
void type_severities(const Severity& severity, std::uint32_t type, std::uint32_t seed,
                     std::uint64_t p0, std::size_t runs, Scratch& s, double* sum,
                     const EventTable* events) {
  const std::uint32_t stream = stream_id(Purpose::severity, type);
  double* loss = s.losses.data();
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
  while (h < runs) {
    if (s.run_count[h] > kBatch) {
      // A year with more events than a batch: its draws in segments, summed in order.
      const std::uint32_t row = s.run_row[h], c = s.run_count[h];
      double x = 0.0;
      for (std::uint64_t k0 = 0; k0 < c; k0 += kBatch) {
        const std::size_t m = static_cast<std::size_t>(std::min<std::uint64_t>(kBatch, c - k0));
        uniform_range(seed, stream, s.run_year[h], k0, m, loss);
        severity.quantile_batch(loss, loss, m);
        for (std::size_t j = 0; j < m; ++j) x += loss[j];
        if (events) record(row, k0, loss, m);
      }
      sum[row] = x;
      ++h;
      continue;
    }
    std::size_t h1 = h, total = 0;
    while (h1 < runs && s.run_count[h1] <= kBatch - total) total += s.run_count[h1++];
    uniform_runs(seed, stream, s.run_year.data() + h, s.run_count.data() + h, h1 - h, loss);
    severity.quantile_batch(loss, loss, total);

    // A year's sum is ((0 + x_0) + x_1) + ... in event order. Years with one or two events
    // (nearly all, and a mix the branch predictor cannot learn) take x_0 + (x_1 or 0) without
    // a branch: the same bits, since 0 + x = x + 0 = x for the positive losses. losses has
    // one spare slot.
    loss[total] = 0.0;
    for (std::size_t e = 0; h < h1; ++h) {
      const std::uint32_t c = s.run_count[h];
      const double pair[2] = {0.0, loss[e + 1]};
      double x = loss[e] + pair[c >= 2];
      for (std::uint32_t k = 2; k < c; ++k) x += loss[e + k];
      sum[s.run_row[h]] = x;
      if (events) record(s.run_row[h], 0, loss + e, c);
      e += c;
    }
  }
}

// Counts of every type for the years [p0, p0 + n) of a pass into s.counts (column t * L): drawn,
// or read back from the result's rows r0.. when a first sweep has stored them there.
void pass_counts(const Model& model, std::uint32_t seed, std::uint64_t p0, std::size_t n,
                 std::size_t L, Scratch& s, const std::int32_t* stored) {
  const std::size_t T = model.size();
  for (std::size_t t = 0; t < T; ++t) {
    std::uint32_t* cnt = s.counts.data() + t * L;
    if (stored) {
      for (std::size_t i = 0; i < n; ++i) cnt[i] = static_cast<std::uint32_t>(stored[i * T + t]);
    } else {
      draw_counts(model.types()[t], seed, stream_id(Purpose::frequency, static_cast<std::uint32_t>(t)),
                  p0, n, s, cnt);
    }
  }
}

void prepare(Scratch& s, std::size_t T, std::size_t L, bool events) {
  s.hi.resize(L);
  s.counts.resize(T * L);
  s.sums.resize(T * L);
  s.run_row.resize(L + 8);
  s.run_year.resize(L);
  s.run_count.resize(L + 8);
  s.losses.resize(kBatch + 1);
#if defined(__AVX2__)
  if (T != 4) {
    s.row_by_type.resize(T * L);
    s.row_counts.resize(T * L);
    s.row_annual.resize(L);
  }
#endif
  if (events) s.event_pos.resize(L);
}

// Counts only, for years [y0, y1) into rows r0.. of the result: the first sweep of a run that
// keeps its events, which sizes the event table before any event is drawn.
void count_block(const Model& model, std::uint32_t seed, std::uint64_t y0, std::uint64_t y1,
                 std::uint64_t r0, SimulationResult& out) {
  const std::size_t T = model.size(), L = pass_years(T);
  Scratch& s = scratch();
  prepare(s, T, L, false);
  for (std::uint64_t p0 = y0; p0 < y1; p0 += L) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(L, y1 - p0));
    pass_counts(model, seed, p0, n, L, s, nullptr);
    std::int32_t* rows = out.counts.data() + static_cast<std::size_t>(r0 + (p0 - y0)) * T;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t t = 0; t < T; ++t)
        rows[i * T + t] = static_cast<std::int32_t>(s.counts[t * L + i]);
  }
}

// Simulate years [y0, y1) (absolute indices) into rows [r0, r0 + y1 - y0) of the result.
// Each pass of L = pass_years(T) years takes every type's counts, then the severities of that
// type's events (draw k of year y is event k), summed per year in event order, and finally
// writes each output row once. With an event table, the counts are those of the first sweep
// (already in the result) and the block's events start at row first_event of the table.
void simulate_block(const Model& model, std::uint32_t seed, std::uint64_t y0, std::uint64_t y1,
                    std::uint64_t r0, SimulationResult& out, const EventTable* events,
                    std::uint64_t first_event) {
  const std::size_t T = model.size(), L = pass_years(T);
  Scratch& s = scratch();
  prepare(s, T, L, events != nullptr);

  for (std::uint64_t p0 = y0; p0 < y1; p0 += L) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(L, y1 - p0));
    const std::size_t row0 = static_cast<std::size_t>(r0 + (p0 - y0));
    pass_counts(model, seed, p0, n, L, s, events ? out.counts.data() + row0 * T : nullptr);
    if (events) {
      // Year i's events start after those of the pass's earlier years: (year, type, k) order.
      for (std::size_t i = 0; i < n; ++i) {
        s.event_pos[i] = first_event;
        for (std::size_t t = 0; t < T; ++t) first_event += s.counts[t * L + i];
      }
    }
    for (std::size_t t = 0; t < T; ++t) {
      const std::uint32_t* cnt = s.counts.data() + t * L;
      double* sum = s.sums.data() + t * L;  // valid where cnt != 0; write_rows reads 0 elsewhere
      const std::size_t runs = pack_runs(cnt, n, s.run_row.data(), s.run_count.data());
      for (std::size_t h = 0; h < runs; ++h) s.run_year[h] = p0 + s.run_row[h];
      type_severities(*model.types()[t].severity, static_cast<std::uint32_t>(t), seed, p0, runs,
                      s, sum, events);
    }
    write_rows(T, s.sums.data(), s.counts.data(), L, n, out.by_type.data() + row0 * T,
               out.counts.data() + row0 * T, out.annual.data() + row0, s);
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
    throw memory_error("simulation of " + std::to_string(options.years) + " years " + what +
                       " needs about " + mib(bytes) + ", but only " +
                       format_value(std::floor(have / 1048576.0)) +
                       " MiB are available; simulate fewer years per run");
  };
  if (need > 0.8 * have) refuse(options.keep_events ? "with its events" : "", need);

  SimulationResult out;
  out.years = options.years;
  out.first_year = options.first_year;
  out.seed = options.seed;
  out.n_types = model.size();
  for (const auto& t : model.types()) out.type_names.push_back(t.name);
  const std::size_t n = static_cast<std::size_t>(options.years);
  // Uninitialised: every block writes each of its rows exactly once.
  out.annual.resize(n);
  out.by_type.resize(n * out.n_types);
  out.counts.resize(n * out.n_types);

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
      simulate_block(model, options.seed, options.first_year + r0, options.first_year + r1, r0,
                     out, nullptr, 0);
      if (options.years_done) *options.years_done += r1 - r0;
    });
    return out;
  }

  // With events: the counts first, then the event table at its exact size, then each block
  // writes its events straight to their rows.
  std::vector<std::uint64_t> first_event(static_cast<std::size_t>(n_blocks) + 1, 0);
  for_blocks([&](std::uint64_t b, std::uint64_t r0, std::uint64_t r1) {
    count_block(model, options.seed, options.first_year + r0, options.first_year + r1, r0, out);
    std::uint64_t total = 0;
    for (std::size_t i = static_cast<std::size_t>(r0) * out.n_types;
         i < static_cast<std::size_t>(r1) * out.n_types; ++i)
      total += static_cast<std::uint32_t>(out.counts[i]);
    first_event[static_cast<std::size_t>(b) + 1] = total;
  });
  std::partial_sum(first_event.begin(), first_event.end(), first_event.begin());
  const double events = static_cast<double>(first_event.back());
  const double exact = output_bytes(options, model.size()) + working_bytes(options, model.size()) +
                       event_table_bytes(events, n_blocks);
  if (exact > 0.8 * have) refuse("with its " + format_value(events) + " events", exact);
  const std::size_t total = static_cast<std::size_t>(first_event.back());
  out.event_year.resize(total);
  out.event_type.resize(total);
  out.event_k.resize(total);
  out.event_loss.resize(total);
  const EventTable table{out.event_year.data(), out.event_type.data(), out.event_k.data(),
                         out.event_loss.data()};
  for_blocks([&](std::uint64_t b, std::uint64_t r0, std::uint64_t r1) {
    simulate_block(model, options.seed, options.first_year + r0, options.first_year + r1, r0, out,
                   &table, first_event[static_cast<std::size_t>(b)]);
    if (options.years_done) *options.years_done += r1 - r0;
  });
  return out;
}

}  // namespace cyberloss
