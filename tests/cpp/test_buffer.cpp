// The result buffers' block sizes and their reuse (include/cyberloss/buffer.hpp).
#include <atomic>
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <vector>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "cyberloss/buffer.hpp"

using cyberloss::Buffer;
using cyberloss::detail::block_class;
using cyberloss::detail::BlockCache;

TEST_CASE("a block's class holds it, wastes at most an eighth under 2 MiB, whole 2 MiB above",
          "[buffer]") {
  constexpr std::size_t KiB = 1024, MiB = 1024 * KiB;
  for (std::size_t bytes = 64 * KiB; bytes < 2 * MiB; bytes += 4093) {
    const std::size_t c = block_class(bytes);
    REQUIRE(c >= bytes);
    REQUIRE(c % (4 * KiB) == 0);
    REQUIRE(static_cast<double>(c - bytes) <= static_cast<double>(bytes) / 8.0 + 4.0 * KiB);
    REQUIRE(block_class(c) == c);  // a class is its own class: freed blocks match requests
  }
  CHECK(block_class(64 * KiB) == 64 * KiB);
  CHECK(block_class(2 * MiB - 1) == 2 * MiB);
  CHECK(block_class(2 * MiB) == 2 * MiB);
  CHECK(block_class(2 * MiB + 1) == 4 * MiB);
  CHECK(block_class(37 * MiB + 5) == 38 * MiB);
}

TEST_CASE("a freed block is reused by the next request of its class, numbers intact", "[buffer]") {
  // 90,000 and 89,000 doubles (a BCP variant's event column) share a class.
  REQUIRE(block_class(90000 * sizeof(double)) == block_class(89000 * sizeof(double)));
  const double* first;
  {
    Buffer<double> a(90000);
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<double>(i);
    first = a.data();
  }
  {
    Buffer<double> b(89000, 1.5);
    CHECK(b.data() == first);
    bool filled = true;
    for (double x : b) filled = filled && x == 1.5;
    CHECK(filled);
  }
  // A small buffer comes from malloc and leaves the kept block to the next request of its class.
  Buffer<std::int32_t> small(100, 7);
  Buffer<double> again(90000);
  CHECK(again.data() == first);
  CHECK(static_cast<const void*>(small.data()) != static_cast<const void*>(first));
}

TEST_CASE("a freed large block stays resident within the budget and is reused, numbers intact",
          "[buffer]") {
  BlockCache& cache = BlockCache::instance();
  const std::size_t n = (std::size_t{3} << 20) / sizeof(double);  // 3 MiB: a 4 MiB block
  const double* first;
  std::size_t before;  // with the block in use (it may have come from the cache)
  {
    Buffer<double> a(n);
    for (std::size_t i = 0; i < n; ++i) a[i] = static_cast<double>(i);
    first = a.data();
    before = cache.resident_large();
  }
  // Resident unless the blocks other tests left kept fill the budget already.
  const std::size_t size = block_class(n * sizeof(double));
  const bool resident = before + size <= cache.resident_limit();
  CHECK(cache.resident_large() == (resident ? before + size : before));
  Buffer<double> b(n);
  CHECK(b.data() == first);
  CHECK(cache.resident_large() == before);
  if (resident) {  // a resident block keeps what was written (one marked MADV_FREE might not)
    bool intact = true;
    for (std::size_t i = 0; i < n; ++i) intact = intact && b[i] == static_cast<double>(i);
    CHECK(intact);
  }
}

#if defined(__linux__)
namespace {

// Pages of [p, p + bytes) in memory (p page-aligned).
std::size_t resident_pages(const void* p, std::size_t bytes) {
  std::vector<unsigned char> in((bytes + 4095) / 4096);
  REQUIRE(mincore(const_cast<void*>(p), bytes, in.data()) == 0);
  std::size_t n = 0;
  for (unsigned char c : in) n += c & 1u;
  return n;
}

}  // namespace

TEST_CASE("a large block is faulted in at once, unless the run allocating it is cancelled",
          "[buffer]") {
  constexpr std::size_t MiB = std::size_t{1} << 20;
  // Sizes no other test allocates: fresh blocks, not kept ones already in memory.
  const std::size_t cancelled_n = 203 * MiB / sizeof(double), kept_n = 205 * MiB / sizeof(double);
  std::atomic<bool> cancel{true};
  {
    const cyberloss::detail::PrefaultCancel guard(&cancel);
    Buffer<double> a(cancelled_n);
    // At most the huge page of its first bytes, which an allocator may write (AddressSanitizer
    // fills the first 4 KiB of each block): 512 of its 51,968 pages.
    CHECK(resident_pages(a.data(), cancelled_n * sizeof(double)) <= (2 * MiB) / 4096);
  }
  cancel = false;
  const cyberloss::detail::PrefaultCancel guard(&cancel);
  Buffer<double> b(kept_n);
  // Every page, where the kernel faults pages in on request (MADV_POPULATE_WRITE, Linux 5.14+;
  // before, nothing is faulted in beforehand and this is not checked).
  void* probe = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(probe != MAP_FAILED);
  const bool populates = madvise(probe, 4096, 23) == 0;
  munmap(probe, 4096);
  if (populates)
    CHECK(resident_pages(b.data(), kept_n * sizeof(double)) == kept_n * sizeof(double) / 4096);
}
#endif
