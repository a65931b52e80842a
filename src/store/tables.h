// The tables of a Vigie database as every backend has them, with their columns: the layout of
// `vigie export` dumps, so a dump is the same JSON whichever store wrote it, and loads into
// either. Each backend's migrations create these tables (and its own bookkeeping besides).
#pragma once

#include <array>
#include <initializer_list>
#include <string_view>

namespace vigie::tables {

// The version of this layout, written in every dump as "schema_version": a dump loads into a
// store only when the versions agree. Bump it when a dumped table's columns change.
inline constexpr int kDumpVersion = 8;
// The oldest version a store still loads: the tables a dump lacks are loaded empty (version 6
// had no subscribers), the columns it lacks take their defaults (version 7 had no webhooks).
inline constexpr int kOldestDumpVersion = 6;

enum class Type { kInt, kText };

struct Column {
  std::string_view name;
  Type type;
};

struct Table {
  std::string_view name;
  std::initializer_list<Column> columns;  // in the dump's order
  std::string_view order;                 // the dump's row order: the primary key
  bool identity;                          // its first column `id` is given by the database
};

constexpr Type I = Type::kInt;
constexpr Type T = Type::kText;

// Every dumped table, parents before children: the order of export and import. Sessions are
// not dumped: they are bound to one running site and expire. The changes log is not either:
// it is how running nodes follow each other, and an imported store starts a new one.
inline const std::array<Table, 17> kDumped = {{
    {"meta", {{"key", T}, {"value", T}}, "key", false},
    {"platforms",
     {{"slug", T},
      {"position", I},
      {"name_fr", T},
      {"name_en", T},
      {"category_fr", T},
      {"category_en", T},
      {"description_fr", T},
      {"description_en", T},
      {"products", T}},
     "slug",
     false},
    {"services",
     {{"id", I},
      {"platform", T},
      {"slug", T},
      {"position", I},
      {"name_fr", T},
      {"name_en", T},
      {"information_fr", T},
      {"information_en", T},
      {"impact_fr", T},
      {"impact_en", T},
      {"retired", I},
      {"created_at", I}},
     "id",
     true},
    {"manual_levels",
     {{"region", T}, {"service_id", I}, {"level", T}, {"set_at", I}, {"note", T}},
     "region, service_id",
     false},
    {"overrides",
     {{"region", T}, {"platform", T}, {"level", T}, {"set_at", I}, {"note", T}},
     "region, platform",
     false},
    {"events",
     {{"id", I},
      {"kind", T},
      {"platform", T},
      {"regions", T},
      {"title_fr", T},
      {"title_en", T},
      {"body_fr", T},
      {"body_en", T},
      {"starts_at", I},
      {"ends_at", I},
      {"phase", T},
      {"cancelled", I},
      {"created_at", I},
      {"updated_at", I},
      {"revision", I},
      {"updated_by", T}},
     "id",
     true},
    {"event_services",
     {{"event_id", I}, {"service_id", I}, {"level", T}},
     "event_id, service_id",
     false},
    {"event_updates",
     {{"id", I}, {"event_id", I}, {"at", I}, {"phase", T}, {"text_fr", T}, {"text_en", T}},
     "id",
     true},
    {"messages",
     {{"id", I},
      {"platform", T},
      {"regions", T},
      {"title_fr", T},
      {"title_en", T},
      {"body_fr", T},
      {"body_en", T},
      {"published_at", I},
      {"expires_at", I}},
     "id",
     true},
    {"status_changes",
     {{"id", I},
      {"region", T},
      {"platform", T},
      {"service_id", I},
      {"from_level", T},
      {"to_level", T},
      {"at", I},
      {"cause", T},
      {"event_id", I},
      {"note", T}},
     "id",
     true},
    {"audit", {{"id", I}, {"at", I}, {"actor", T}, {"action", T}, {"detail", T}}, "id", true},
    {"users",
     {{"id", I},
      {"name", T},
      {"role", T},
      {"password_hash", T},
      {"disabled", I},
      {"created_at", I},
      {"password_changed_at", I}},
     "id",
     true},
    {"api_tokens",
     {{"id", I},
      {"name", T},
      {"token_hash", T},
      {"role", T},
      {"created_by", T},
      {"created_at", I},
      {"revoked_at", I},
      {"last_used_at", I}},
     "id",
     true},
    {"subscribers",
     {{"id", I},
      {"email", T},
      {"email_key", T},
      {"region", T},
      {"lang", T},
      {"created_at", I},
      {"confirmed_at", I},
      {"from_notice", I},
      {"channel", T},
      {"endpoint", T},
      {"secret", T},
      {"failures", I},
      {"quarantined_at", I}},
     "id",
     true},
    {"subscriptions",
     {{"subscriber_id", I}, {"platform", T}, {"topic", T}, {"target", I}},
     "subscriber_id, platform, topic, target",
     false},
    {"notices",
     {{"id", I},
      {"kind", T},
      {"at", I},
      {"platform", T},
      {"event_id", I},
      {"update_id", I},
      {"message_id", I},
      {"subscriber_id", I},
      {"service_id", I},
      {"detail", T},
      {"dedupe", T},
      {"fanned_out", I}},
     "id",
     true},
    {"deliveries",
     {{"notice_id", I},
      {"subscriber_id", I},
      {"state", T},
      {"attempts", I},
      {"next_at", I},
      {"sent_at", I},
      {"error", T}},
     "notice_id, subscriber_id",
     false},
}};

}  // namespace vigie::tables
