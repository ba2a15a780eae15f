#pragma once
// The examples' inputs: each command-line argument, or, when there are none, each non-blank
// stdin line (a trailing '\r' removed).
#include <iostream>
#include <string>
#include <vector>

namespace tessera::examples {

template <class F>
void for_each_input(const std::vector<std::string>& args, F&& f) {
    if (!args.empty()) {
        for (const std::string& a : args) f(a);
        return;
    }
    for (std::string line; std::getline(std::cin, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") != std::string::npos) f(line);
    }
}

}  // namespace tessera::examples
