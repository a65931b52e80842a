// The dump of `vigie export`: every table of tables::kDumped, in that order (a table after
// those it refers to), as JSON. The Store defines it: every backend writes and reads the same.
//
//   {"format":"vigie-dump","schema_version":8,"tables":{
//   "meta":{"columns":["key","value"],"rows":[
//   ["reconciled_at","1796579100"]]},
//   ...}}
//
// Both directions go a row at a time: a dump of 100,000 events (190 MB) is never held as a
// JSON document, only as text.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "store/sql.h"

namespace vigie::dump {

// The dump of everything `conn` reads (call it inside one read transaction).
Result<std::string> Write(sql::Connection& conn);

// Inserts the rows of the dump `text` through `conn` as they are parsed (call it inside one
// write transaction: on an error, part of the dump may have been inserted). A table's columns
// may be any subset of the table's, in any order; tables come in any order, but one that
// comes before a table it follows in tables::kDumped is held in memory until its turn.
// Invalid, with a sentence, when `text` is not a Vigie dump, has a version this Vigie does
// not read, or holds a row that does not fit its table.
Status Read(std::string_view text, sql::Connection& conn);

}  // namespace vigie::dump
