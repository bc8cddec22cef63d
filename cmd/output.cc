// The json, text and table printers (see output.h for the shapes they produce).
#include "cmd/output.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>
#include <utility>
#include <vector>

namespace efs::cli {
namespace {

using api::Json;

bool IsScalar(const Json& v) { return !v.is_object() && !v.is_array(); }

// ----------------------------------------------------------------------------- text
// Python's str() of a decoded JSON scalar.
std::string TextScalar(const Json& v) {
  if (v.is_string()) return v.get_ref<const std::string&>();
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_null()) return "None";
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

void AppendJoined(const std::vector<std::string>& fields, std::string* out) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out->push_back('\t');
    out->append(fields[i]);
  }
  out->push_back('\n');
}

void Text(const Json& item, const std::string* identifier,
          const std::vector<std::string>* scalar_keys, std::string* out);

void TextObject(const Json& item, const std::string* identifier,
                const std::vector<std::string>* scalar_keys, std::string* out) {
  std::vector<std::string> scalars;
  std::vector<std::pair<std::string, const Json*>> non_scalars;
  if (scalar_keys == nullptr) {
    for (auto it = item.begin(); it != item.end(); ++it) {
      if (IsScalar(*it)) {
        scalars.push_back(TextScalar(*it));
      } else {
        non_scalars.emplace_back(it.key(), &*it);
      }
    }
  } else {
    for (const std::string& key : *scalar_keys) {
      auto it = item.find(key);
      scalars.push_back(it == item.end() ? "" : TextScalar(*it));
    }
    for (auto it = item.begin(); it != item.end(); ++it) {
      if (!std::binary_search(scalar_keys->begin(), scalar_keys->end(), it.key())) {
        non_scalars.emplace_back(it.key(), &*it);
      }
    }
  }
  if (!scalars.empty()) {
    if (identifier != nullptr) scalars.insert(scalars.begin(), Upper(*identifier));
    AppendJoined(scalars, out);
  }
  for (const auto& [key, value] : non_scalars) Text(*value, &key, nullptr, out);
}

void TextScalarList(const std::vector<const Json*>& items, const std::string* identifier,
                    std::string* out) {
  if (identifier != nullptr) {
    for (const Json* v : items) AppendJoined({Upper(*identifier), TextScalar(*v)}, out);
    return;
  }
  std::vector<std::string> fields;
  for (const Json* v : items) fields.push_back(TextScalar(*v));
  AppendJoined(fields, out);
}

void TextList(const Json& list, const std::string* identifier, std::string* out) {
  if (list.empty()) return;
  bool any_object = false, any_list = false;
  for (const Json& v : list) {
    any_object |= v.is_object();
    any_list |= v.is_array();
  }
  if (any_object) {
    std::set<std::string> keys;
    for (const Json& v : list) {
      if (!v.is_object()) continue;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (IsScalar(*it)) keys.insert(it.key());
      }
    }
    std::vector<std::string> scalar_keys(keys.begin(), keys.end());
    for (const Json& v : list) Text(v, identifier, &scalar_keys, out);
    return;
  }
  std::vector<const Json*> scalars;
  for (const Json& v : list) {
    if (!any_list || IsScalar(v)) scalars.push_back(&v);
  }
  if (!scalars.empty()) TextScalarList(scalars, identifier, out);
  if (!any_list) return;
  for (const Json& v : list) {
    if (!IsScalar(v)) Text(v, identifier, nullptr, out);
  }
}

void Text(const Json& item, const std::string* identifier,
          const std::vector<std::string>* scalar_keys, std::string* out) {
  if (item.is_object()) {
    TextObject(item, identifier, scalar_keys, out);
  } else if (item.is_array()) {
    TextList(item, identifier, out);
  } else {
    out->append(TextScalar(item));
    out->push_back('\n');
  }
}

// ----------------------------------------------------------------------------- table
std::string CellScalar(const Json& v) {
  if (v.is_string()) return v.get_ref<const std::string&>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_null()) return "";
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// A list inside a cell: scalars joined, Key/Value pairs as K=V, other objects as compact JSON.
std::string CellList(const Json& list) {
  std::string cell;
  for (const Json& v : list) {
    if (!cell.empty()) cell += ", ";
    if (v.is_object() && v.size() <= 2 && v.contains("Key") && v["Key"].is_string()) {
      cell += v["Key"].get<std::string>() + "=" + (v.contains("Value") ? CellScalar(v["Value"]) : "");
    } else if (IsScalar(v)) {
      cell += CellScalar(v);
    } else {
      cell += v.dump(-1, ' ', false, Json::error_handler_t::replace);
    }
  }
  return cell;
}

using Row = std::vector<std::pair<std::string, std::string>>;

// Flattens an object to (dotted key, cell) pairs. With `lists` null, lists become cells;
// otherwise top-level lists are collected there (as titled sections) instead.
void Flatten(const Json& object, const std::string& prefix, Row* row,
             std::vector<std::pair<std::string, const Json*>>* lists) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string key = prefix + it.key();
    if (it->is_object()) {
      Flatten(*it, key + ".", row, nullptr);
    } else if (it->is_array()) {
      if (lists != nullptr) {
        lists->emplace_back(key, &*it);
      } else {
        row->emplace_back(key, CellList(*it));
      }
    } else {
      row->emplace_back(key, CellScalar(*it));
    }
  }
}

// Appends `lines` with each column padded to its widest cell. With `ruled`, the first line is a
// header and a line of dashes as wide as each column follows it.
void AppendAligned(const std::vector<std::vector<std::string>>& lines, bool ruled,
                   std::string* out) {
  std::vector<size_t> widths;
  for (const auto& line : lines) {
    widths.resize(std::max(widths.size(), line.size()));
    for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  }
  auto append_line = [&](const std::vector<std::string>& line) {
    std::string text;
    for (size_t i = 0; i < line.size(); ++i) {
      text += line[i];
      if (i + 1 < line.size()) text += std::string(widths[i] - line[i].size() + 2, ' ');
    }
    text.erase(text.find_last_not_of(' ') + 1);
    out->append(text).push_back('\n');
  };
  for (size_t n = 0; n < lines.size(); ++n) {
    append_line(lines[n]);
    if (ruled && n == 0) {
      std::vector<std::string> rule;
      for (size_t w : widths) rule.emplace_back(w, '-');
      append_line(rule);
    }
  }
}

// The width a table of these rows would take, columns two spaces apart.
size_t TableWidth(const std::vector<std::string>& columns, const std::vector<Row>& rows) {
  size_t total = 0;
  for (const std::string& c : columns) {
    size_t width = c.size();
    for (const Row& row : rows) {
      for (const auto& [key, cell] : row) {
        if (key == c) width = std::max(width, cell.size());
      }
    }
    total += width + 2;
  }
  return total;
}

// $COLUMNS when set (the terminal's width), else 120.
size_t MaxTableWidth() {
  const char* columns = std::getenv("COLUMNS");
  long width = columns ? std::strtol(columns, nullptr, 10) : 0;
  return width >= 40 ? static_cast<size_t>(width) : 120;
}

void TableSection(const std::string& title, const Json& list, std::string* out) {
  if (!out->empty()) out->push_back('\n');
  if (!title.empty()) out->append(title + ":\n");
  if (list.empty()) {
    out->append("(none)\n");
    return;
  }
  std::vector<Row> rows;
  std::vector<std::string> columns;  // in first-seen order
  for (const Json& v : list) {
    Row row;
    if (v.is_object()) {
      Flatten(v, "", &row, nullptr);
    } else {
      row.emplace_back("", v.is_array() ? CellList(v) : CellScalar(v));
    }
    for (const auto& cell : row) {
      if (std::find(columns.begin(), columns.end(), cell.first) == columns.end()) {
        columns.push_back(cell.first);
      }
    }
    rows.push_back(std::move(row));
  }
  const bool headed = !(columns.size() == 1 && columns[0].empty());
  if (headed && TableWidth(columns, rows) > MaxTableWidth()) {
    // Too wide for one line per record: each record as its own block of "Key  Value" lines.
    for (size_t n = 0; n < rows.size(); ++n) {
      if (n) out->push_back('\n');
      std::vector<std::vector<std::string>> block;
      for (const auto& [key, cell] : rows[n]) block.push_back({key, cell});
      AppendAligned(block, false, out);
    }
    return;
  }
  std::vector<std::vector<std::string>> lines;
  if (headed) lines.push_back(columns);
  for (const Row& row : rows) {
    std::vector<std::string> line;
    for (const std::string& c : columns) {
      auto it = std::find_if(row.begin(), row.end(),
                             [&](const auto& cell) { return cell.first == c; });
      line.push_back(it == row.end() ? "" : it->second);
    }
    lines.push_back(std::move(line));
  }
  AppendAligned(lines, headed, out);
}

}  // namespace

std::optional<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "json") return OutputFormat::kJson;
  if (name == "text") return OutputFormat::kText;
  if (name == "table") return OutputFormat::kTable;
  return std::nullopt;
}

std::string FormatJson(const Json& value) {
  return value.dump(4, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string FormatText(const Json& value) {
  std::string out;
  Text(value, nullptr, nullptr, &out);
  return out;
}

std::string FormatTable(const Json& value) {
  std::string out;
  if (value.is_array()) {
    TableSection("", value, &out);
    return out;
  }
  if (!value.is_object()) return CellScalar(value) + "\n";
  Row row;
  std::vector<std::pair<std::string, const Json*>> lists;
  Flatten(value, "", &row, &lists);
  std::vector<std::vector<std::string>> lines;
  for (auto& [key, cell] : row) lines.push_back({key, cell});
  AppendAligned(lines, false, &out);
  for (const auto& [key, list] : lists) TableSection(key, *list, &out);
  return out;
}

std::string FormatResult(const Json& value, OutputFormat format) {
  if (value.is_object() && value.empty()) return "";
  switch (format) {
    case OutputFormat::kJson:
      return FormatJson(value);
    case OutputFormat::kText:
      return FormatText(value);
    case OutputFormat::kTable:
      return FormatTable(value);
  }
  return "";
}

}  // namespace efs::cli
