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

double simulation_bytes(const Model& model, const SimulationOptions& options) {
  const double years = static_cast<double>(options.years);
  const double types = static_cast<double>(model.size());
  double bytes = years * (8.0 + types * (8.0 + 4.0));
  if (options.keep_events) {
    double events_per_year = 0.0;
    for (const auto& t : model.types()) events_per_year += t.frequency->mean();
    bytes += years * events_per_year * (8.0 + 4.0 + 4.0 + 8.0) * 1.25;
  }
  return bytes;
}

namespace {

struct BlockEvents {
  std::vector<std::int64_t> year;
  std::vector<std::int32_t> type;
  std::vector<std::int32_t> k;
  std::vector<double> loss;
};

// Years per inner pass of a block: the per-type columns of one pass stay in L1/L2 cache.
constexpr std::size_t kChunk = 1024;

// Per-thread working memory, reused by every block the thread runs.
struct Scratch {
  std::vector<std::uint32_t> hi;       // frequency words of one type
  std::vector<std::uint32_t> counts;   // (T, kChunk) counts, one column per type
  std::vector<double> sums;            // (T, kChunk) annual loss per type
  std::vector<std::uint32_t> run_row;  // years of the pass with events (of one type) ...
  std::vector<std::uint64_t> run_year;
  std::vector<std::uint32_t> run_count;  // ... and their counts
  std::vector<double> losses;            // the events' uniforms, then their losses
  std::vector<double> row_by_type;       // (kChunk, T) output rows of a pass, staged in cache ...
  std::vector<std::int32_t> row_counts;  // ... before one streaming copy to the result
  std::vector<double> row_annual;
  std::vector<std::vector<double>> type_losses;  // per type, when events are kept ...
  std::vector<std::uint32_t> event_rows;         // ... the rows of the pass with any event
  std::vector<std::size_t> cursor;               // ... and each type's next loss
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
      throw std::overflow_error("attack type '" + type.name + "': annual count " +
                                std::to_string(c) + " exceeds 2^31 - 1");
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
void write_rows_any(Count T, const double* sums, const std::uint32_t* cnt, std::size_t n,
                    double* by_type, std::int32_t* counts, double* annual) {
  for (std::size_t i = 0; i < n; ++i) {
    double x = 0.0;
    for (std::size_t t = 0; t < T; ++t) {
      const double v = cnt[t * kChunk + i] ? sums[t * kChunk + i] : 0.0;
      by_type[i * T + t] = v;
      counts[i * T + t] = static_cast<std::int32_t>(cnt[t * kChunk + i]);
      x += v;
    }
    annual[i] = x;
  }
}

template <std::size_t T>
void write_rows_fixed(const double* sums, const std::uint32_t* cnt, std::size_t n,
                      double* by_type, std::int32_t* counts, double* annual) {
  write_rows_any(std::integral_constant<std::size_t, T>{}, sums, cnt, n, by_type, counts, annual);
}

#if defined(__AVX2__)
// T = 4 with 4x4 register transposes: four years per step. The same IEEE additions in the
// same order as write_rows_fixed. The stores are non-temporal (see stream_copy) where the
// destination rows are aligned, which they are for large results except at odd block starts.
void write_rows4(const double* sums, const std::uint32_t* cnt, std::size_t n, double* by_type,
                 std::int32_t* counts, double* annual) {
  auto misaligned = [](const void* p, std::uintptr_t a) {
    return reinterpret_cast<std::uintptr_t>(p) % a != 0;
  };
  if (misaligned(by_type, 32) || misaligned(counts, 16) || misaligned(annual, 8))
    return write_rows_fixed<4>(sums, cnt, n, by_type, counts, annual);
  // Rows before the first whole 32-byte line of annual go the ordinary way.
  const std::size_t head =
      std::min(n, (32 - reinterpret_cast<std::uintptr_t>(annual) % 32) % 32 / sizeof(double));
  write_rows_fixed<4>(sums, cnt, head, by_type, counts, annual);
  std::size_t i = head;
  for (; i + 4 <= n; i += 4) {
    __m256d v[4];
    __m128i c[4];
    __m256d x = _mm256_setzero_pd();
    for (std::size_t t = 0; t < 4; ++t) {
      c[t] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(cnt + t * kChunk + i));
      const __m256i zero = _mm256_cvtepi32_epi64(_mm_cmpeq_epi32(c[t], _mm_setzero_si128()));
      v[t] = _mm256_andnot_pd(_mm256_castsi256_pd(zero), _mm256_loadu_pd(sums + t * kChunk + i));
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
  write_rows_fixed<4>(sums + i, cnt + i, n - i, by_type + i * 4, counts + i * 4, annual + i);
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
                       std::size_t n, double* by_type, std::int32_t* counts, double* annual) {
  switch (T) {
    case 1: return write_rows_fixed<1>(sums, cnt, n, by_type, counts, annual);
    case 2: return write_rows_fixed<2>(sums, cnt, n, by_type, counts, annual);
    case 3: return write_rows_fixed<3>(sums, cnt, n, by_type, counts, annual);
    case 4: return write_rows_fixed<4>(sums, cnt, n, by_type, counts, annual);
    case 5: return write_rows_fixed<5>(sums, cnt, n, by_type, counts, annual);
    case 6: return write_rows_fixed<6>(sums, cnt, n, by_type, counts, annual);
    case 7: return write_rows_fixed<7>(sums, cnt, n, by_type, counts, annual);
    case 8: return write_rows_fixed<8>(sums, cnt, n, by_type, counts, annual);
    default: break;
  }
  write_rows_any(T, sums, cnt, n, by_type, counts, annual);
}

// The output rows of a pass: T = 4 straight to the result; otherwise staged in cache (in s)
// and copied with streaming stores. Without AVX2, written directly.
void write_rows(std::size_t T, const double* sums, const std::uint32_t* cnt, std::size_t n,
                double* by_type, std::int32_t* counts, double* annual, Scratch& s) {
#if defined(__AVX2__)
  if (T == 4) return write_rows4(sums, cnt, n, by_type, counts, annual);
  s.row_by_type.resize(T * kChunk);
  s.row_counts.resize(T * kChunk);
  s.row_annual.resize(kChunk);
  write_rows_staged(T, sums, cnt, n, s.row_by_type.data(), s.row_counts.data(),
                    s.row_annual.data());
  stream_copy(by_type, s.row_by_type.data(), n * T * sizeof(double));
  stream_copy(counts, s.row_counts.data(), n * T * sizeof(std::int32_t));
  stream_copy(annual, s.row_annual.data(), n * sizeof(double));
#else
  (void)s;
  write_rows_staged(T, sums, cnt, n, by_type, counts, annual);
#endif
}

// Simulate years [y0, y1) (absolute indices) into rows [r0, r0 + y1 - y0) of the result.
// Each pass of kChunk years draws every type's counts, then the severities of that type's
// events (draw k of year y is event k), sums them per year in event order, and finally writes
// each output row once.
void simulate_block(const Model& model, std::uint32_t seed, std::uint64_t y0, std::uint64_t y1,
                    std::uint64_t r0, SimulationResult& out, BlockEvents* events) {
  const std::size_t T = model.size();
  Scratch& s = scratch();
  s.hi.resize(kChunk);
  s.counts.resize(T * kChunk);
  s.sums.resize(T * kChunk);
  s.run_row.resize(kChunk + 8);
  s.run_year.resize(kChunk);
  s.run_count.resize(kChunk + 8);
  if (events) s.type_losses.resize(T);

  for (std::uint64_t p0 = y0; p0 < y1; p0 += kChunk) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, y1 - p0));
    if (events) s.event_rows.clear();
    for (std::size_t t = 0; t < T; ++t) {
      const AttackType& type = model.types()[t];
      const std::uint32_t index = static_cast<std::uint32_t>(t);
      std::uint32_t* cnt = s.counts.data() + t * kChunk;
      double* sum = s.sums.data() + t * kChunk;  // valid where cnt != 0
      draw_counts(type, seed, stream_id(Purpose::frequency, index), p0, n, s, cnt);

      const std::size_t runs = pack_runs(cnt, n, s.run_row.data(), s.run_count.data());
      std::uint64_t total = 0;
      for (std::size_t h = 0; h < runs; ++h) {
        s.run_year[h] = p0 + s.run_row[h];
        total += s.run_count[h];
      }
      s.losses.resize(static_cast<std::size_t>(total) + 1);
      double* loss = s.losses.data();
      uniform_runs(seed, stream_id(Purpose::severity, index), s.run_year.data(),
                   s.run_count.data(), runs, loss);
      type.severity->quantile_batch(loss, loss, static_cast<std::size_t>(total));

      // Only the rows with events are set; write_rows reads the others as 0. A year's sum is
      // ((0 + x_0) + x_1) + ... in event order. Years with one or two events (nearly all, and
      // a mix the branch predictor cannot learn) take x_0 + (x_1 or 0) without a branch: the
      // same bits, since 0 + x = x + 0 = x for the positive losses. losses has one spare slot.
      loss[total] = 0.0;
      for (std::size_t h = 0, e = 0; h < runs; ++h) {
        const std::uint32_t c = s.run_count[h];
        const double pair[2] = {0.0, loss[e + 1]};
        double x = loss[e] + pair[c >= 2];
        for (std::uint32_t k = 2; k < c; ++k) x += loss[e + k];
        e += c;
        sum[s.run_row[h]] = x;
      }
      if (events) {
        s.type_losses[t].assign(loss, loss + total);
        s.event_rows.insert(s.event_rows.end(), s.run_row.data(), s.run_row.data() + runs);
      }
    }

    const std::size_t row0 = static_cast<std::size_t>(r0 + (p0 - y0));
    write_rows(T, s.sums.data(), s.counts.data(), n, out.by_type.data() + row0 * T,
               out.counts.data() + row0 * T, out.annual.data() + row0, s);

    if (events) {
      // Only the rows with an event of some type, in year order (nearly all rows have none).
      std::sort(s.event_rows.begin(), s.event_rows.end());
      s.event_rows.erase(std::unique(s.event_rows.begin(), s.event_rows.end()), s.event_rows.end());
      s.cursor.assign(T, 0);
      for (const std::uint32_t i : s.event_rows)
        for (std::size_t t = 0; t < T; ++t) {
          const std::uint32_t c = s.counts[t * kChunk + i];
          for (std::uint32_t k = 0; k < c; ++k) {
            events->year.push_back(static_cast<std::int64_t>(p0 + i));
            events->type.push_back(static_cast<std::int32_t>(t));
            events->k.push_back(static_cast<std::int32_t>(k));
            events->loss.push_back(s.type_losses[t][s.cursor[t]++]);
          }
        }
      s.event_rows.clear();
    }
  }
}

}  // namespace

SimulationResult simulate(const Model& model, const SimulationOptions& options) {
  if (options.years == 0) throw std::invalid_argument("years must be >= 1, got 0");
  if (options.threads < 0)
    throw std::invalid_argument("threads must be >= 0 (0 = all cores), got " +
                                std::to_string(options.threads));
  if (options.first_year > std::numeric_limits<std::uint64_t>::max() - options.years)
    throw std::invalid_argument("first_year + years overflows");
  const double need = simulation_bytes(model, options);
  const double have = available_memory_bytes();
  if (need > 0.8 * have)
    throw memory_error("simulation of " + std::to_string(options.years) + " years needs about " +
                       format_value(std::ceil(need / 1048576.0)) + " MiB, but only " +
                       format_value(std::floor(have / 1048576.0)) +
                       " MiB are available; simulate fewer years per run");

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

  const std::uint64_t block = options.block_size ? options.block_size : 8192;
  const std::uint64_t n_blocks = (options.years + block - 1) / block;
  std::vector<BlockEvents> block_events(options.keep_events ? n_blocks : 0);
  std::atomic<bool> stopped{false};

  const int threads = options.threads ? options.threads : tbb::this_task_arena::max_concurrency();
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<std::uint64_t>(0, n_blocks, 1),
        [&](const tbb::blocked_range<std::uint64_t>& range) {
          for (std::uint64_t b = range.begin(); b != range.end(); ++b) {
            if (options.cancel && options.cancel->load(std::memory_order_relaxed)) {
              stopped = true;
              return;
            }
            const std::uint64_t r0 = b * block;
            const std::uint64_t r1 = std::min(options.years, r0 + block);
            simulate_block(model, options.seed, options.first_year + r0,
                           options.first_year + r1, r0, out,
                           options.keep_events ? &block_events[b] : nullptr);
            if (options.years_done) *options.years_done += r1 - r0;
          }
        },
        tbb::simple_partitioner());
  });
  if (stopped) throw cancelled("simulation cancelled");

  if (options.keep_events) {
    std::size_t total = 0;
    for (const auto& be : block_events) total += be.loss.size();
    out.event_year.reserve(total);
    out.event_type.reserve(total);
    out.event_k.reserve(total);
    out.event_loss.reserve(total);
    for (auto& be : block_events) {
      out.event_year.insert(out.event_year.end(), be.year.begin(), be.year.end());
      out.event_type.insert(out.event_type.end(), be.type.begin(), be.type.end());
      out.event_k.insert(out.event_k.end(), be.k.begin(), be.k.end());
      out.event_loss.insert(out.event_loss.end(), be.loss.begin(), be.loss.end());
      be = BlockEvents{};
    }
  }
  return out;
}

}  // namespace cyberloss
