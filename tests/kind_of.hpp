#pragma once
// kind_of(f): runs f and returns the kind of the tessera::error it throws (its message into
// *message when given); a call that throws nothing fails the test. (test_search and
// test_hnsw keep their own variant, which treats "nothing thrown" as a result, not a failure.)
#include <doctest/doctest.h>

#include <string>

#include "tessera/core/error.hpp"

namespace tessera::testing {

template <class F>
error_kind kind_of(F&& f, std::string* message = nullptr) {
    try {
        f();
    } catch (const tessera::error& e) {
        if (message) *message = e.what();
        return e.kind();
    }
    FAIL("expected a tessera::error");
    return error_kind::io;  // not reached: FAIL ends the test case
}

}  // namespace tessera::testing
