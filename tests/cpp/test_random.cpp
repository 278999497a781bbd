#include <catch2/catch.hpp>
#include <cmath>
#include <utility>
#include <vector>

#include "cyberloss/incident.hpp"
#include "cyberloss/random.hpp"

using namespace cyberloss;

TEST_CASE("Philox4x32-10 matches the published Random123 known-answer vectors", "[random][kat]") {
  // Random123 1.14 examples/kat_vectors: philox4x32 10 <counter> <key> <expected>.
  struct Kat {
    std::array<std::uint32_t, 4> ctr;
    std::array<std::uint32_t, 2> key;
    std::array<std::uint32_t, 4> expected;
  };
  const Kat kats[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
       {0xffffffff, 0xffffffff},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
       {0xa4093822, 0x299f31d0},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (const auto& k : kats) CHECK(philox4x32_10(k.ctr, k.key) == k.expected);
}

TEST_CASE("uniform_at follows the documented counter layout", "[random]") {
  // seed 7, stream 3, year 5, draw 3: block 1, words 2 and 3.
  const auto w = philox4x32_10({1, 0, 5, 0}, {7, 3});
  const double expected =
      static_cast<double>((std::uint64_t{w[3]} << 32 | w[2]) >> 11) * 0x1.0p-53 + 0x1.0p-54;
  CHECK(uniform_at(7, 3, 5, 3) == expected);
}

TEST_CASE("the extreme output words give uniforms strictly inside (0, 1)", "[random]") {
  // The largest 53-bit word would round up to 1 (and an inverse CDF to infinity) without the
  // documented cap at 1 - 2^-53; the vector path must agree with the scalar one.
  const std::vector<std::uint32_t> lo = {0u,          0x7FFu,      0x800u, 0xFFFFFFFFu,
                                         0xFFFFF7FFu, 0xFFFFFFFFu, 0u},
                                   hi = {0u,          0u,          0u,         0xFFFFFFFFu,
                                         0xFFFFFFFFu, 0x7FFFFFFFu, 0x80000000u};
  // Above 1/2 the + 2^-54 ties and rounds to even: 2^53 - 2 gives 1 - 2^-52, 2^52 gives 1/2.
  const std::vector<double> expected = {0x1.0p-54,
                                        0x1.0p-54,
                                        0x1.8p-53,
                                        0x1.fffffffffffffp-1,
                                        0x1.ffffffffffffep-1,
                                        0x1.fffffffffffffp-2,
                                        0.5};
  std::vector<double> batch(lo.size());
  unit_uniforms(lo.data(), hi.data(), lo.size(), batch.data());
  for (std::size_t i = 0; i < lo.size(); ++i) {
    INFO("words " << lo[i] << " " << hi[i]);
    CHECK(unit_uniform(lo[i], hi[i]) == expected[i]);
    CHECK(batch[i] == expected[i]);
  }
}

TEST_CASE("batched uniforms equal one-at-a-time uniforms and lie inside (0, 1)", "[random]") {
  std::vector<std::uint64_t> years, draws;
  for (std::uint64_t y = 0; y < 97; ++y)
    for (std::uint64_t d = 0; d < 5; ++d) {
      years.push_back(y * 1000003ULL + (y << 33));
      draws.push_back(d * 7919ULL + (d << 34));
    }
  std::vector<double> out(years.size());
  uniform_batch(42, stream_id(Purpose::severity, 3), years.data(), draws.data(), years.size(),
                out.data());
  for (std::size_t i = 0; i < years.size(); ++i) {
    REQUIRE(out[i] == uniform_at(42, stream_id(Purpose::severity, 3), years[i], draws[i]));
    REQUIRE(out[i] > 0.0);
    REQUIRE(out[i] < 1.0);
  }
}

TEST_CASE("Stream hands out the same draws as uniform_at", "[random]") {
  Stream s(11, 5, 123456789, 0);
  for (std::uint64_t d = 0; d < 9; ++d) CHECK(s.uniform() == uniform_at(11, 5, 123456789, d));
  Stream t(11, 5, 123456789, 3);
  CHECK(t.uniform() == uniform_at(11, 5, 123456789, 3));
}

TEST_CASE("stream ids pack purpose and index and refuse out-of-range values", "[random]") {
  CHECK(stream_id(Purpose::severity, 3) == ((2u << 16) | 3u));
  CHECK_THROWS_WITH(stream_id(0u, 1u), Catch::Contains("purpose") && Catch::Contains("got 0"));
  CHECK_THROWS_WITH(stream_id(1u, 70000u), Catch::Contains("index") && Catch::Contains("70000"));
}

TEST_CASE("sampler parameter errors name the parameter and value", "[random][errors]") {
  Stream s(1, 1, 0);
  CHECK_THROWS_WITH(gamma(s, -1.0, 1.0), Catch::Contains("shape") && Catch::Contains("-1"));
  CHECK_THROWS_WITH(gamma(s, 1.0, NAN), Catch::Contains("scale") && Catch::Contains("nan"));
  CHECK_THROWS_WITH(poisson(s, -0.5), Catch::Contains("mean") && Catch::Contains("-0.5"));
  CHECK_THROWS_WITH(negative_binomial(s, 1.0, 0.0), Catch::Contains("dispersion"));
}

TEST_CASE("uniform_range gives uniform_at's values from any first draw", "[random]") {
  const std::uint32_t seed = 8, stream = stream_id(Purpose::severity, 1);
  for (std::uint64_t year : {0ULL, 12345ULL, (1ULL << 63) - 1})
    for (std::uint64_t first : {0ULL, 1ULL, 16384ULL, (1ULL << 33) + 1})
      for (std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{513}, std::size_t{1200}}) {
        std::vector<double> out(n);
        uniform_range(seed, stream, year, first, n, out.data());
        for (std::size_t j = 0; j < n; ++j)
          REQUIRE(out[j] == uniform_at(seed, stream, year, first + j));
      }
}

TEST_CASE("event_uniforms gives uniform_at's values with years and draws past 32 bits",
          "[random]") {
  const std::uint32_t seed = 5, stream = stream_id(Purpose::components, 2);
  // 2, 16 and 6 draws an event (10 and 4 of them used) over 150 events: batches of 256 blocks
  // end inside an event's blocks; years and block numbers use their high words.
  for (auto [per_event, used] : {std::pair<std::uint64_t, std::uint64_t>{2, 2}, {16, 10}, {6, 4}}) {
    std::vector<std::uint64_t> years, k;
    for (std::uint64_t i = 0; i < 150; ++i) {
      years.push_back(i * 7 + (i << 35));
      k.push_back(i % 5 == 0 ? (1ULL << 40) + i : i * 8);
    }
    std::vector<double> out(per_event * years.size(), -1.0);
    event_uniforms(seed, stream, years.data(), k.data(), years.size(), per_event, used, out.data());
    for (std::size_t i = 0; i < years.size(); ++i)
      for (std::uint64_t j = 0; j < per_event; ++j)
        REQUIRE(out[per_event * i + j] ==
                (j < used ? uniform_at(seed, stream, years[i], k[i] * per_event + j) : -1.0));
  }
}
