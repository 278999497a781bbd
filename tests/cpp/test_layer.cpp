#include <catch2/catch.hpp>
#include <limits>
#include <stdexcept>

#include "cyberloss/layer.hpp"

using cyberloss::AnnualCapacity;
using cyberloss::Layer;

TEST_CASE("a layer pays the part of a loss between attachment and exhaustion", "[layer]") {
  const Layer layer(10.0, 5.0);
  CHECK(layer(0.0) == 0.0);
  CHECK(layer(10.0) == 0.0);
  CHECK(layer(12.5) == 2.5);
  CHECK(layer(15.0) == 5.0);
  CHECK(layer(1e9) == 5.0);
  CHECK(layer.exhaustion_point() == 15.0);
  const Layer deductible(3.0, std::numeric_limits<double>::infinity());
  CHECK(deductible(10.0) == 7.0);
  CHECK(Layer()(7.25) == 7.25);
}

TEST_CASE("a layer refuses a bad attachment or limit, naming it", "[layer]") {
  CHECK_THROWS_WITH(Layer(-1.0, 1.0), Catch::Contains("attachment"));
  CHECK_THROWS_WITH(Layer(std::numeric_limits<double>::quiet_NaN(), 1.0),
                    Catch::Contains("attachment"));
  CHECK_THROWS_WITH(Layer(0.0, 0.0), Catch::Contains("limit"));
  CHECK_THROWS_WITH(Layer(0.0, std::numeric_limits<double>::quiet_NaN()), Catch::Contains("limit"));
}

TEST_CASE("an annual capacity is consumed in event order and reset each year", "[layer]") {
  AnnualCapacity cap(10.0);
  CHECK(cap.take(4.0) == 4.0);
  CHECK(cap.take(4.0) == 4.0);
  CHECK(cap.take(4.0) == 2.0);
  CHECK(cap.take(1.0) == 0.0);
  CHECK(cap.used() == 10.0);
  cap.new_year();
  CHECK(cap.take(12.0) == 10.0);
  AnnualCapacity unlimited;
  CHECK(unlimited.take(1e300) == 1e300);
  CHECK_THROWS_WITH(AnnualCapacity(-1.0), Catch::Contains("capacity"));
}
