// The five levels of a service or platform, and their severity order.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigie {

// Declared in severity order: a roll-up takes the greatest.
// operational < maintenance < minor < major < outage.
enum class Level : uint8_t {
  kOperational = 0,
  kMaintenance = 1,
  kMinor = 2,
  kMajor = 3,
  kOutage = 4
};

inline constexpr Level kAllLevels[] = {Level::kOperational, Level::kMinor, Level::kMajor,
                                       Level::kOutage, Level::kMaintenance};

inline Level Worse(Level a, Level b) { return static_cast<int>(a) >= static_cast<int>(b) ? a : b; }
inline bool IsWorse(Level a, Level b) { return static_cast<int>(a) > static_cast<int>(b); }

// Stable identifiers used in the database, the API and feeds:
// "operational", "maintenance", "minor", "major", "outage".
std::string_view LevelId(Level l);
std::optional<Level> ParseLevel(std::string_view id);

// The guide's words for a level: "Perturbation mineure" / "Minor disruption".
// `english` picks the language (model.h's Lang is not needed at this depth).
std::string_view LevelWords(Level l, bool english);

}  // namespace vigie
