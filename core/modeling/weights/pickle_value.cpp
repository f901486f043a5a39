#include "core/modeling/weights/pickle_value.h"

#include "core/util/error.h"

namespace counterscope::modeling {

const char* to_string(PickleKind kind) {
  switch (kind) {
    case PickleKind::none: return "None";
    case PickleKind::boolean: return "bool";
    case PickleKind::integer: return "int";
    case PickleKind::big_integer: return "int";
    case PickleKind::floating: return "float";
    case PickleKind::string: return "str";
    case PickleKind::bytes: return "bytes";
    case PickleKind::tuple: return "tuple";
    case PickleKind::list: return "list";
    case PickleKind::dict: return "dict";
    case PickleKind::global: return "global";
    case PickleKind::storage: return "storage";
    case PickleKind::tensor: return "tensor";
  }
  return "unknown";
}

PickleValuePtr PickleValue::make(PickleKind kind) {
  auto value = std::make_shared<PickleValue>();
  value->kind = kind;
  return value;
}

PickleValuePtr PickleValue::make_integer(std::int64_t value) {
  auto result = make(PickleKind::integer);
  result->integer = value;
  return result;
}

PickleValuePtr PickleValue::make_string(std::string value) {
  auto result = make(PickleKind::string);
  result->text = std::move(value);
  return result;
}

PickleValuePtr PickleValue::find(const std::string& key) const {
  if (kind != PickleKind::dict) return nullptr;
  for (const auto& [k, v] : entries) {
    if (k && k->kind == PickleKind::string && k->text == key) return v;
  }
  return nullptr;
}

std::string PickleValue::describe() const {
  switch (kind) {
    case PickleKind::string: return "str " + quote_for_message(text);
    case PickleKind::integer: return "int " + std::to_string(integer);
    case PickleKind::global: return "global " + text;
    case PickleKind::tuple:
    case PickleKind::list: return std::string(to_string(kind)) + " of " + std::to_string(items.size()) + " items";
    case PickleKind::dict: return "dict of " + std::to_string(entries.size()) + " items";
    default: return to_string(kind);
  }
}

}  // namespace counterscope::modeling
