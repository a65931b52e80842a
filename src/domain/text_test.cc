#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <utility>

#include "core/text_archive.h"
#include "domain/model.h"

namespace vigie {
namespace {

static_assert(sizeof(Text) == 16, "half a million of them in a model at scale");

TEST(Text, IsAValueInBothLanguages) {
  Text t("Lenteurs", "Slowness");
  EXPECT_EQ(t.fr(), "Lenteurs");
  EXPECT_EQ(t.en(), "Slowness");
  EXPECT_EQ(t.in(Lang::kEn), "Slowness");
  EXPECT_FALSE(t.empty());
  EXPECT_TRUE(Text().empty());
  EXPECT_TRUE(Text("", "").empty());
  EXPECT_EQ(Text("", "").fr(), "");

  Text copy = t;
  EXPECT_EQ(copy, t);
  EXPECT_NE(copy.fr().data(), t.fr().data());  // owned: its own block
  copy.set(Lang::kEn, "Slow");
  EXPECT_EQ(copy.en(), "Slow");
  EXPECT_EQ(copy.fr(), "Lenteurs");
  EXPECT_EQ(t.en(), "Slowness");
  EXPECT_NE(copy, t);

  // A language replaced by a piece of the text itself.
  copy.set(Lang::kFr, copy.en().substr(0, 2));
  EXPECT_EQ(copy.fr(), "Sl");
  EXPECT_EQ(copy.en(), "Slow");

  Text moved = std::move(copy);
  EXPECT_EQ(moved.fr(), "Sl");
  EXPECT_TRUE(copy.empty());  // NOLINT: a moved-from Text is empty
  moved = t;
  EXPECT_EQ(moved, t);
  moved = moved;  // NOLINT: self-assignment keeps it
  EXPECT_EQ(moved, t);
}

TEST(Text, StoredInTheArchiveIsSharedByItsCopies) {
  EXPECT_FALSE(Text::Stored("a", "b").stored());  // no archive: owned
  char tmpl[] = "/tmp/vigie-text-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  ASSERT_TRUE(text_archive::Open(tmpl).ok());
  Text s = Text::Stored("Résolu", "Resolved");
  EXPECT_TRUE(s.stored());
  EXPECT_EQ(s, Text("Résolu", "Resolved"));
  Text copy = s;
  EXPECT_EQ(copy.fr().data(), s.fr().data());  // the same bytes: nothing copied
  copy.set(Lang::kEn, "Fixed");                // a change makes it its own
  EXPECT_FALSE(copy.stored());
  EXPECT_EQ(s.en(), "Resolved");
  EXPECT_FALSE(Text::Stored("", "").stored());  // nothing to store

  // The history's blocks come from the archive too, and read the same after its pages are
  // given back.
  AppendVector<StatusChange> history;
  for (int64_t i = 1; i <= 2000; ++i) {
    StatusChange c;
    c.id = i;
    c.note = i % 2 ? "odd" : "";
    history.push_back(c);
  }
  EXPECT_EQ(text_archive::Read().blocks, 4u);  // 2000 changes, 512 a block
  text_archive::GiveBack();
  for (int64_t i = 1; i <= 2000; ++i) {
    ASSERT_EQ(history[i - 1].id, i);
    ASSERT_EQ(history[i - 1].note, i % 2 ? "odd" : "");
  }
  history = AppendVector<StatusChange>();
  EXPECT_EQ(text_archive::Read().blocks, 0u);  // given back to the archive
  ::rmdir(tmpl);
}

static_assert(sizeof(StatusChange) == 64, "710,000 of them in a model at scale");

TEST(OptId, ComparesAsAnOptional) {
  const OptId none, one = 1;
  const std::optional<int64_t> no_id, id_one = 1, id_two = 2;
  EXPECT_FALSE(none);
  EXPECT_TRUE(one);
  EXPECT_EQ(*one, 1);
  EXPECT_EQ(none.value_or(7), 7);
  EXPECT_TRUE(none == no_id);  // std::optional's own == would say false
  EXPECT_TRUE(no_id == none);
  EXPECT_TRUE(one == id_one);
  EXPECT_FALSE(one == id_two);
  EXPECT_FALSE(none == id_one);
  EXPECT_TRUE(one == 1);
  EXPECT_TRUE(none == std::nullopt);
  EXPECT_EQ(std::optional<int64_t>(none), std::nullopt);
  EXPECT_EQ(std::optional<int64_t>(one), 1);
  EXPECT_EQ(OptId(int64_t{0}), 0);  // 0 is an id like any other
}

}  // namespace
}  // namespace vigie
