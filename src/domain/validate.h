// The rules every write must pass, checked against the current model before anything is
// stored. Each returns Status::Invalid / NotFound with a sentence an operator understands.
#pragma once

#include <string_view>

#include "core/status.h"
#include "domain/model.h"

namespace vigie {

// The one rule for identifiers that appear in URLs (platform and service slugs, region ids):
// 1 to 64 lower-case letters, digits and '-', not starting or ending with '-'.
bool IsSlug(std::string_view s);

// Kind, platform, regions, a title in at least one language, affected services of that
// platform (each at most once), end after start, maintenance with a planned end,
// a phase for incidents only (resolved needs an end).
Status ValidateEvent(const Model& model, const Event& event);
// At least one text, a phase only on incidents, not before the event was created.
Status ValidateUpdate(const Model& model, const Event& event, const EventUpdate& update);
// Platform (or whole site), regions, a title, expiry after publication.
Status ValidateMessage(const Model& model, const Message& message);
Status ValidateManualLevel(const Model& model, const ManualLevel& level);
Status ValidateOverride(const Model& model, const GlobalOverride& override_level);

}  // namespace vigie
