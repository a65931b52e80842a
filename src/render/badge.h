// Embeds for customers' intranets: an SVG status badge (shields-style, with the level's
// colour, symbol and words) and a tiny HTML snippet page to put in an iframe.
#pragma once

#include <string>

#include "domain/level.h"
#include "domain/model.h"

namespace vigie {

// `label` on the left (a platform or service name), the level's `words` on the right.
std::string RenderBadge(std::string_view label, Level level, std::string_view words);

}  // namespace vigie
