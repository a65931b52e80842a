// What render and feeds tests share: the shipped message catalogs and templates, and a View
// of a model at a minute (derived levels and history index built as the Snapshot builds them).
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "domain/derive.h"
#include "domain/history_index.h"
#include "domain/test_model.h"
#include "domain/view.h"
#include "render/assets.h"
#include "render/messages.h"
#include "render/pages.h"

namespace vigie::testing {

// The embedded assets, loaded once per test binary.
struct ShippedAssets {
  Assets assets;
  Messages messages;
  Templates templates;
  static const ShippedAssets& Get() {
    static const ShippedAssets* shipped = [] {
      Result<Assets> a = Assets::Load("");
      EXPECT_TRUE(a.ok()) << a.status().ToString();
      Result<Messages> m = Messages::Load(*a);
      EXPECT_TRUE(m.ok()) << m.status().ToString();
      Result<Templates> t = Templates::Load(*a, *m);
      EXPECT_TRUE(t.ok()) << t.status().ToString();
      return new ShippedAssets{std::move(a).value(), std::move(m).value(), std::move(t).value()};
    }();
    return *shipped;
  }
};

// A model and what a snapshot of it at `minute` derives, owned together.
struct ModelAt {
  Model model;
  Time at;
  DerivedState derived;
  HistoryIndex index;
  ModelAt(Model m, int minute)
      : model(Prepared(std::move(m))),
        at(At(minute)),
        derived(Derive(model, at)),
        index{ChangeIndex(model.status_changes), EventIndex(model, at)} {}
  View ViewOf(std::string_view region, Lang lang) const {
    return View{model, derived, index, at, *model.FindRegion(region), lang};
  }

 private:
  static Model Prepared(Model m) {
    for (Region& r : m.regions) r.base_url = "https://status.example." + r.id;
    m.events.StableSort(EventBefore);  // the Store's order, which the index's lists keep
    return m;
  }
};

// A change of a platform's global level (no service) or of a service's, in region `region`.
inline StatusChange Change(int64_t id, std::string region, std::optional<int64_t> service,
                           Level from, Level to, int minute) {
  StatusChange c;
  c.id = id;
  c.region = std::move(region);
  c.platform = "erp";
  c.service_id = service;
  c.from = from;
  c.to = to;
  c.at = At(minute);
  return c;
}

}  // namespace vigie::testing
