#include "domain/validate.h"

#include <set>

namespace vigie {

bool IsSlug(std::string_view s) {
  return !s.empty() && s.size() <= 64 &&
         s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos &&
         s.front() != '-' && s.back() != '-';
}

namespace {

Status ValidateRegions(const Model& model, const std::vector<std::string>& regions) {
  if (regions.empty()) return Status::Invalid("choose at least one region");
  std::set<std::string> seen;
  for (const std::string& r : regions) {
    if (model.FindRegion(r) == nullptr) return Status::NotFound("unknown region \"" + r + "\"");
    if (!seen.insert(r).second) return Status::Invalid("region \"" + r + "\" is listed twice");
  }
  return Status::Ok();
}

Status ValidatePlatform(const Model& model, const std::string& platform) {
  if (model.FindPlatform(platform) == nullptr) {
    return Status::NotFound("unknown platform \"" + platform + "\"");
  }
  return Status::Ok();
}

Status ValidateTitle(const Text& title) {
  if (title.fr().find_first_not_of(" \t\r\n") == std::string_view::npos &&
      title.en().find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status::Invalid("give a title in French or in English");
  }
  for (Lang l : kAllLangs) {
    if (title.in(l).size() > 200) {
      return Status::Invalid("the " + std::string(LangId(l)) +
                             " title is longer than 200 characters");
    }
  }
  return Status::Ok();
}

Status ValidateService(const Model& model, const std::string& region, int64_t service_id) {
  if (model.FindRegion(region) == nullptr) {
    return Status::NotFound("unknown region \"" + region + "\"");
  }
  const Service* s = model.FindService(service_id);
  if (s == nullptr) return Status::NotFound("unknown service #" + std::to_string(service_id));
  if (s->retired) return Status::Invalid("service \"" + s->slug + "\" is retired");
  return Status::Ok();
}

}  // namespace

Status ValidateEvent(const Model& model, const Event& e) {
  VIGIE_RETURN_IF_ERROR(ValidatePlatform(model, e.platform));
  VIGIE_RETURN_IF_ERROR(ValidateRegions(model, e.regions));
  VIGIE_RETURN_IF_ERROR(ValidateTitle(e.title));
  std::set<int64_t> seen;
  for (const Impact& impact : e.impacts) {
    const Service* s = model.FindService(impact.service_id);
    if (s == nullptr) {
      return Status::NotFound("unknown service #" + std::to_string(impact.service_id));
    }
    if (s->platform != e.platform) {
      return Status::Invalid("service \"" + s->slug + "\" belongs to " + s->platform + ", not " +
                             e.platform);
    }
    if (!seen.insert(impact.service_id).second) {
      return Status::Invalid("service \"" + s->slug + "\" is listed twice");
    }
    if (e.kind == EventKind::kMaintenance && impact.level == Level::kOperational) {
      return Status::Invalid("a maintenance cannot leave service \"" + s->slug +
                             "\" operational: choose maintenance or a disruption level");
    }
  }
  if (e.ends_at && *e.ends_at <= e.starts_at) {
    return Status::Invalid("the end must come after the start");
  }
  if (e.kind == EventKind::kMaintenance && !e.ends_at) {
    return Status::Invalid("a maintenance needs a planned end");
  }
  if (e.kind == EventKind::kIncident) {
    if (e.phase == Phase::kNone) return Status::Invalid("an incident needs a phase");
    if (e.phase == Phase::kResolved && !e.ends_at) {
      return Status::Invalid("a resolved incident needs its end time");
    }
  } else if (e.phase != Phase::kNone) {
    return Status::Invalid("only incidents have a phase");
  }
  return Status::Ok();
}

Status ValidateUpdate(const Model&, const Event& e, const EventUpdate& u) {
  if (u.text.empty()) return Status::Invalid("write the update in French or in English");
  if (u.phase != Phase::kNone && e.kind != EventKind::kIncident) {
    return Status::Invalid("only incidents have a phase");
  }
  if (u.at < e.created_at && u.at < e.starts_at) {
    return Status::Invalid("an update cannot predate its event");
  }
  return Status::Ok();
}

Status ValidateMessage(const Model& model, const Message& m) {
  if (!m.platform.empty()) VIGIE_RETURN_IF_ERROR(ValidatePlatform(model, m.platform));
  VIGIE_RETURN_IF_ERROR(ValidateRegions(model, m.regions));
  VIGIE_RETURN_IF_ERROR(ValidateTitle(m.title));
  if (m.expires_at && *m.expires_at <= m.published_at) {
    return Status::Invalid("the expiry must come after the publication");
  }
  return Status::Ok();
}

Status ValidateManualLevel(const Model& model, const ManualLevel& m) {
  return ValidateService(model, m.region, m.service_id);
}

Status ValidateOverride(const Model& model, const GlobalOverride& o) {
  if (model.FindRegion(o.region) == nullptr) {
    return Status::NotFound("unknown region \"" + o.region + "\"");
  }
  return ValidatePlatform(model, o.platform);
}

}  // namespace vigie
