// What every rendering of the public state reads (pages, feeds, the APIs): one snapshot's
// model and derived levels, seen from one region in one language.
#pragma once

#include "core/time.h"
#include "domain/derive.h"
#include "domain/history_index.h"
#include "domain/model.h"

namespace vigie {

// References into one Snapshot, which must outlive the View.
struct View {
  const Model& model;
  const DerivedState& derived;
  const HistoryIndex& index;
  Time as_of;  // the snapshot's time: "now" for every rendering of it
  const Region& region;
  Lang lang;
};

}  // namespace vigie
