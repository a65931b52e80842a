#include "store/sql_dump.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "store/tables.h"

namespace vigie::dump {

namespace {

using json = nlohmann::json;

std::string ColumnList(const tables::Table& t) {
  std::string out;
  for (const tables::Column& c : t.columns) out.append(out.empty() ? "" : ", ").append(c.name);
  return out;
}

// Rows to an INSERT: a few round trips to a server instead of one per row, within every
// backend's limit of parameters (SQLite's 32,766; PostgreSQL's 65,535) at 20 columns.
constexpr size_t kBatch = 500;

constexpr std::string_view kNotADump =
    "not a Vigie dump (expected the JSON written by `vigie export`)";

// The sentences of a dump refused.
Status Malformed(std::string_view table) {
  return Status::Invalid("table " + std::string(table) + " is malformed in the dump");
}
Status WrongWidth(std::string_view table) {
  return Status::Invalid("a row of " + std::string(table) + " has the wrong width");
}
Status UnknownColumn(std::string_view table, std::string_view spelling) {
  return Status::Invalid("the dump's table " + std::string(table) +
                         " has a column Vigie does not know: " + std::string(spelling));
}
// `column` is "" when the value is past the row's known columns.
Status WrongType(std::string_view table, std::string_view column, std::string_view spelling) {
  return Status::Invalid("a value of " + std::string(table) +
                         (column.empty() ? "" : "." + std::string(column)) +
                         " has the wrong type: " + std::string(spelling));
}

// A value of a row as parsed, before it is checked against its column's type.
struct Cell {
  enum class Kind { kNull, kInt, kText, kOther };
  Kind kind = Kind::kNull;
  int64_t i = 0;
  std::string text;  // a text's value, or the JSON spelling of any other value (for a message)

  std::string Spelling() const {
    switch (kind) {
      case Kind::kNull:
        return "null";
      case Kind::kInt:
        return std::to_string(i);
      case Kind::kText:
        return json(text).dump(-1, ' ', false, json::error_handler_t::replace);
      case Kind::kOther:
        break;
    }
    return text;
  }
};
using Row = std::vector<Cell>;

// One table of the dump, as it is read.
struct TableIn {
  const tables::Table* table = nullptr;
  size_t index = 0;        // in tables::kDumped
  bool streaming = false;  // its turn has come: rows go to the database as they are read
  bool columns_seen = false;
  std::vector<std::string> names;
  std::vector<tables::Type> types;
  std::string insert;     // INSERT INTO t(columns) VALUES (?, ...): one row
  std::string marks;      // (?, ...): one more row
  std::vector<Row> held;  // rows read before their turn (or before the columns)
};

// Where the parser is in the document.
enum class Where { kTop, kTables, kTable, kColumns, kRows, kRow, kSkip };

// Reads the dump as nlohmann's parser goes through it (SAX), inserting each row once its
// table's turn has come.
class Reader final : public nlohmann::json_sax<json> {
 public:
  explicit Reader(sql::Connection& conn) : conn_(conn) {}

  // After a parse that went to its end: the checks of the whole document, then the tables
  // held until now.
  Status Finish() {
    if (!format_ok_ || !tables_seen_) return Status::Invalid(std::string(kNotADump));
    if (!version_ || *version_ < tables::kOldestDumpVersion || *version_ > tables::kDumpVersion) {
      return Status::Invalid("the dump has schema version " + version_text_ +
                             " but this Vigie reads versions " +
                             std::to_string(tables::kOldestDumpVersion) + " to " +
                             std::to_string(tables::kDumpVersion));
    }
    for (auto& [index, table] : held_tables_) {
      VIGIE_RETURN_IF_ERROR(InsertHeld(table));
    }
    held_tables_.clear();
    return Status::Ok();
  }
  const Status& status() const { return status_; }

  bool null() override { return Scalar(Cell::Kind::kNull, 0, "null"); }
  bool boolean(bool v) override { return Scalar(Cell::Kind::kOther, 0, v ? "true" : "false"); }
  bool number_integer(number_integer_t v) override { return Scalar(Cell::Kind::kInt, v, ""); }
  bool number_unsigned(number_unsigned_t v) override {
    if (v > static_cast<number_unsigned_t>(std::numeric_limits<int64_t>::max())) {
      return Scalar(Cell::Kind::kOther, 0, std::to_string(v));
    }
    return Scalar(Cell::Kind::kInt, static_cast<int64_t>(v), "");
  }
  bool number_float(number_float_t, const string_t& s) override {
    return Scalar(Cell::Kind::kOther, 0, s);
  }
  bool string(string_t& s) override { return Scalar(Cell::Kind::kText, 0, s); }
  bool binary(binary_t&) override { return Scalar(Cell::Kind::kOther, 0, "(binary)"); }

  bool key(string_t& k) override {
    key_ = k;
    return true;
  }

  bool start_object(std::size_t) override {
    if (where_.empty()) return Enter(Where::kTop);
    switch (where_.back()) {
      case Where::kTop:
        if (key_ == "tables") {
          tables_seen_ = true;
          return Enter(Where::kTables);
        }
        return Enter(Where::kSkip);
      case Where::kTables:
        return BeginTable();
      case Where::kTable:
        if (key_ == "columns" || key_ == "rows") return Malformed();
        return Enter(Where::kSkip);
      case Where::kColumns:
        return UnknownColumn("{...}");
      case Where::kRows:
        return WrongWidth();
      case Where::kRow:
        return WrongType("{...}");
      case Where::kSkip:
        return Enter(Where::kSkip);
    }
    return true;
  }

  bool end_object() override {
    const Where done = Leave();
    if (done == Where::kTable) return Fails(EndTable());
    return true;
  }

  bool start_array(std::size_t) override {
    if (where_.empty()) return Fails(Status::Invalid(std::string(kNotADump)));
    switch (where_.back()) {
      case Where::kTop:
        if (key_ == "tables") return Fails(Status::Invalid(std::string(kNotADump)));
        return Enter(Where::kSkip);
      case Where::kTables:
        return Enter(Where::kSkip);  // not a table: left alone, as an unknown key
      case Where::kTable:
        if (key_ == "columns") {
          table_.names.clear();
          return Enter(Where::kColumns);
        }
        if (key_ == "rows") return Enter(Where::kRows);
        return Enter(Where::kSkip);
      case Where::kColumns:
        return UnknownColumn("[...]");
      case Where::kRows:
        cells_ = 0;
        return Enter(Where::kRow);
      case Where::kRow:
        return WrongType("[...]");
      case Where::kSkip:
        return Enter(Where::kSkip);
    }
    return true;
  }

  bool end_array() override {
    const Where done = Leave();
    if (done == Where::kColumns) return Fails(EndColumns());
    if (done == Where::kRow) {
      table_.held.emplace_back(row_.begin(), row_.begin() + static_cast<std::ptrdiff_t>(cells_));
      // Its turn has come: the rows go in batches as they are read.
      if (table_.streaming && table_.columns_seen && table_.held.size() >= kBatch) {
        return Fails(InsertHeld(table_));
      }
    }
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    if (status_.ok()) status_ = Status::Invalid(std::string(kNotADump) + ": " + e.what());
    return false;
  }

 private:
  bool Enter(Where w) {
    where_.push_back(w);
    return true;
  }
  Where Leave() {
    const Where w = where_.back();
    where_.pop_back();
    return w;
  }
  // Keeps the first error; false stops the parser.
  bool Fails(Status st) {
    if (st.ok()) return true;
    if (status_.ok()) status_ = std::move(st);
    return false;
  }
  std::string TableName() const {
    return table_.table ? std::string(table_.table->name) : std::string("?");
  }
  bool Malformed() { return Fails(dump::Malformed(TableName())); }
  bool WrongWidth() { return Fails(dump::WrongWidth(TableName())); }
  bool UnknownColumn(std::string_view spelling) {
    return Fails(dump::UnknownColumn(TableName(), spelling));
  }
  bool WrongType(std::string_view spelling) {
    const std::string_view column =
        cells_ < table_.names.size() ? std::string_view(table_.names[cells_]) : "";
    return Fails(dump::WrongType(TableName(), column, spelling));
  }

  bool Scalar(Cell::Kind kind, int64_t i, std::string_view text) {
    if (where_.empty()) return Fails(Status::Invalid(std::string(kNotADump)));
    switch (where_.back()) {
      case Where::kRow: {
        if (cells_ == row_.size()) row_.emplace_back();
        Cell& c = row_[cells_++];
        c.kind = kind;
        c.i = i;
        c.text.assign(text);
        return true;
      }
      case Where::kTop:
        if (key_ == "format") format_ok_ = kind == Cell::Kind::kText && text == "vigie-dump";
        if (key_ == "schema_version") {
          version_.reset();
          if (kind == Cell::Kind::kInt) version_ = i;
          version_text_ = kind == Cell::Kind::kInt ? std::to_string(i) : std::string(text);
        }
        if (key_ == "tables") return Fails(Status::Invalid(std::string(kNotADump)));
        return true;
      case Where::kTable:
        if (key_ == "columns" || key_ == "rows") return Malformed();
        return true;
      case Where::kColumns:
        if (kind != Cell::Kind::kText) {
          return UnknownColumn(kind == Cell::Kind::kInt ? std::to_string(i) : std::string(text));
        }
        table_.names.emplace_back(text);
        return true;
      case Where::kRows:
        return WrongWidth();
      case Where::kTables:
      case Where::kSkip:
        return true;
    }
    return true;
  }

  bool BeginTable() {
    const auto known = std::find_if(tables::kDumped.begin(), tables::kDumped.end(),
                                    [&](const tables::Table& t) { return t.name == key_; });
    if (known == tables::kDumped.end()) return Enter(Where::kSkip);  // not Vigie's: ignored
    table_ = TableIn{};
    table_.table = &*known;
    table_.index = static_cast<size_t>(known - tables::kDumped.begin());
    table_.streaming = table_.index == next_;
    return Enter(Where::kTable);
  }

  Status EndColumns() {
    if (table_.names.empty()) return dump::Malformed(TableName());
    std::string names, marks;
    table_.types.clear();
    for (const std::string& name : table_.names) {
      const auto known = std::find_if(table_.table->columns.begin(), table_.table->columns.end(),
                                      [&](const tables::Column& k) { return k.name == name; });
      if (known == table_.table->columns.end()) {
        return dump::UnknownColumn(TableName(),
                                   json(name).dump(-1, ' ', false, json::error_handler_t::replace));
      }
      table_.types.push_back(known->type);
      names.append(names.empty() ? "" : ", ").append(name);
      marks.append(marks.empty() ? "?" : ", ?");
    }
    table_.marks = "(" + marks + ")";
    table_.insert =
        "INSERT INTO " + std::string(table_.table->name) + "(" + names + ") VALUES " + table_.marks;
    table_.columns_seen = true;
    return Status::Ok();
  }

  // The end of a table's object: a table without columns holds nothing.
  Status EndTable() {
    if (!table_.columns_seen) table_.held.clear();
    if (!table_.streaming) {
      held_tables_.insert_or_assign(table_.index, std::move(table_));
      table_ = TableIn{};
      return Status::Ok();
    }
    VIGIE_RETURN_IF_ERROR(InsertHeld(table_));  // rows that came before the columns
    next_ = table_.index + 1;
    table_ = TableIn{};
    // The tables that were waiting for this one.
    for (auto it = held_tables_.find(next_); it != held_tables_.end();
         it = held_tables_.find(next_)) {
      VIGIE_RETURN_IF_ERROR(InsertHeld(it->second));
      held_tables_.erase(it);
      ++next_;
    }
    return Status::Ok();
  }

  // Inserts the rows held, kBatch to a statement (one round trip to a server for each).
  Status InsertHeld(TableIn& t) {
    for (size_t from = 0; from < t.held.size(); from += kBatch) {
      VIGIE_RETURN_IF_ERROR(Insert(t, from, std::min(t.held.size(), from + kBatch)));
    }
    t.held.clear();
    return Status::Ok();
  }

  // Rows [from, to) of t.held, in one INSERT.
  Status Insert(const TableIn& t, size_t from, size_t to) {
    const std::string name(t.table->name);
    const size_t width = t.types.size();
    values_.clear();
    for (size_t r = from; r < to; ++r) {
      const Row& row = t.held[r];
      if (row.size() != width) return dump::WrongWidth(name);
      for (size_t i = 0; i < width; ++i) {
        const Cell& c = row[i];
        if (c.kind == Cell::Kind::kNull) {
          values_.emplace_back(std::monostate{});
        } else if (t.types[i] == tables::Type::kInt && c.kind == Cell::Kind::kInt) {
          values_.emplace_back(c.i);
        } else if (t.types[i] == tables::Type::kText && c.kind == Cell::Kind::kText) {
          values_.emplace_back(std::string_view(c.text));
        } else {
          return dump::WrongType(name, t.names[i], c.Spelling());
        }
      }
    }
    std::string text = t.insert;  // the same text for every full batch: prepared once
    for (size_t r = from + 1; r < to; ++r) text.append(", ").append(t.marks);
    std::unique_ptr<sql::Rows> st = conn_.Start(text, values_);
    while (st->Next()) {
    }
    return st->status().WithContext("importing " + name);
  }

  sql::Connection& conn_;
  Status status_;
  std::vector<Where> where_;
  std::string key_;  // the last key read: the one whose value comes next
  bool format_ok_ = false, tables_seen_ = false;
  std::optional<int64_t> version_;
  std::string version_text_ = "null";
  TableIn table_;                          // the table being read
  size_t next_ = 0;                        // the index in kDumped of the table whose turn it is
  std::map<size_t, TableIn> held_tables_;  // read before their turn, by index
  Row row_;                                // the row being read (its cells keep their capacity)
  size_t cells_ = 0;                       // how many of row_'s cells it has
  std::vector<sql::Value> values_;
};

}  // namespace

Result<std::string> Write(sql::Connection& conn) {
  std::string out =
      "{\"format\":\"vigie-dump\",\"schema_version\":" + std::to_string(tables::kDumpVersion) +
      ",\"tables\":{";
  bool first_table = true;
  json row = json::array();
  for (const tables::Table& table : tables::kDumped) {
    json cols = json::array();
    for (const tables::Column& c : table.columns) cols.push_back(c.name);
    out.append(first_table ? "\n" : ",\n")
        .append(json(std::string(table.name)).dump())
        .append(":{\"columns\":")
        .append(cols.dump())
        .append(",\"rows\":[");
    first_table = false;
    sql::Stmt st(conn, "SELECT " + ColumnList(table) + " FROM " + std::string(table.name) +
                           " ORDER BY " + std::string(table.order));
    bool first_row = true;
    while (st.Step()) {
      row.clear();
      int i = 0;
      for (const tables::Column& c : table.columns) {
        if (st.IsNull(i)) {
          row.push_back(nullptr);
        } else if (c.type == tables::Type::kInt) {
          row.push_back(st.Int(i));
        } else {
          row.push_back(st.Str(i));
        }
        ++i;
      }
      out.append(first_row ? "\n" : ",\n")
          .append(row.dump(-1, ' ', false, json::error_handler_t::replace));
      first_row = false;
    }
    VIGIE_RETURN_IF_ERROR(st.status());
    out.append("]}");
  }
  out.append("}}\n");
  return out;
}

Status Read(std::string_view text, sql::Connection& conn) {
  Reader reader(conn);
  const bool parsed = json::sax_parse(text.begin(), text.end(), &reader);
  if (!parsed) {
    return reader.status().ok() ? Status::Invalid(std::string(kNotADump)) : reader.status();
  }
  return reader.Finish();
}

}  // namespace vigie::dump
