#include "core/modeling/weights/restricted_unpickler.h"

#include <cstring>
#include <unordered_map>
#include <vector>

#include "core/util/error.h"

namespace counterscope::modeling {
namespace {

// Opcodes of pickle protocols 0-4 that torch.save (protocol 2) and Python 2 era checkpoints use.
enum Opcode : unsigned char {
  MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2',
  INT = 'I', BININT = 'J', BININT1 = 'K', BININT2 = 'M', LONG = 'L', NONE = 'N',
  FLOAT = 'F', BINFLOAT = 'G',
  BINSTRING = 'T', SHORT_BINSTRING = 'U', BINUNICODE = 'X', BINBYTES = 'B', SHORT_BINBYTES = 'C',
  APPEND = 'a', APPENDS = 'e', LIST = 'l', EMPTY_LIST = ']',
  BUILD = 'b', GLOBAL = 'c', DICT = 'd', EMPTY_DICT = '}', SETITEM = 's', SETITEMS = 'u',
  GET = 'g', BINGET = 'h', LONG_BINGET = 'j', PUT = 'p', BINPUT = 'q', LONG_BINPUT = 'r',
  BINPERSID = 'Q', REDUCE = 'R', TUPLE = 't', EMPTY_TUPLE = ')',
  PROTO = 0x80, TUPLE1 = 0x85, TUPLE2 = 0x86, TUPLE3 = 0x87, NEWTRUE = 0x88, NEWFALSE = 0x89,
  LONG1 = 0x8a, LONG4 = 0x8b,
  SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d, BINBYTES8 = 0x8e, STACK_GLOBAL = 0x93, MEMOIZE = 0x94,
  FRAME = 0x95,
};

std::string hex_byte(unsigned char byte) {
  static const char* digits = "0123456789abcdef";
  return std::string("0x") + digits[byte >> 4] + digits[byte & 15];
}

class Unpickler {
 public:
  Unpickler(std::istream& in, const PickleSource& source, UnpicklerRules& rules)
      : m_in(in), m_source(source), m_rules(rules) {}

  PickleValuePtr run() {
    while (true) {
      m_opcode_offset = m_position;
      const unsigned char opcode = read_byte();
      m_opcode = opcode;
      try {
        if (opcode == STOP) {
          if (m_stack.size() != 1 || !m_marks.empty()) fail("STOP with " + std::to_string(m_stack.size()) +
                                                             " values on the stack; the pickle is corrupt");
          return m_stack.back();
        }
        execute(opcode);
      } catch (const PickleRefused& refused) {
        fail(refused.what());
      }
    }
  }

  std::int64_t position() const { return m_position; }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    throw InputError(m_source.file, m_source.name + " byte " + std::to_string(m_source.base_offset + m_opcode_offset),
                     "opcode " + hex_byte(m_opcode), problem);
  }

  void read_raw(char* out, std::int64_t count) {
    if (count < 0 || count > m_source.max_bytes - m_position) {
      fail("needs " + std::to_string(count) + " bytes but the data ends after " +
           std::to_string(m_source.max_bytes - m_position) + "; the file is truncated or corrupt");
    }
    m_in.read(out, count);
    if (m_in.gcount() != count) fail("the data ends early; the file is truncated");
    m_position += count;
  }

  unsigned char read_byte() {
    char byte = 0;
    read_raw(&byte, 1);
    return static_cast<unsigned char>(byte);
  }

  std::uint64_t read_unsigned(int bytes) {
    unsigned char buffer[8] = {};
    read_raw(reinterpret_cast<char*>(buffer), bytes);
    std::uint64_t value = 0;
    for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | buffer[i];
    return value;
  }

  std::string read_string(std::uint64_t length) {
    if (length > static_cast<std::uint64_t>(m_source.max_bytes - m_position)) {
      fail("a length of " + std::to_string(length) + " bytes runs past the end of the data");
    }
    std::string text(static_cast<std::size_t>(length), '\0');
    read_raw(text.data(), static_cast<std::int64_t>(length));
    return text;
  }

  std::string read_line() {
    std::string line;
    while (true) {
      const unsigned char c = read_byte();
      if (c == '\n') return line;
      line.push_back(static_cast<char>(c));
      if (line.size() > 4096) fail("a text argument longer than 4096 bytes; the pickle is corrupt");
    }
  }

  PickleValuePtr pop() {
    if (m_stack.empty() || (!m_marks.empty() && m_stack.size() <= m_marks.back())) {
      fail("the pickle stack is empty here; the pickle is corrupt");
    }
    PickleValuePtr value = std::move(m_stack.back());
    m_stack.pop_back();
    return value;
  }

  PickleValuePtr& top() {
    if (m_stack.empty() || (!m_marks.empty() && m_stack.size() <= m_marks.back())) fail("the pickle stack is empty here; the pickle is corrupt");
    return m_stack.back();
  }

  /// Removes and returns the values pushed since the last MARK.
  std::vector<PickleValuePtr> pop_to_mark() {
    if (m_marks.empty()) fail("no MARK before this opcode; the pickle is corrupt");
    const std::size_t mark = m_marks.back();
    m_marks.pop_back();
    std::vector<PickleValuePtr> values(std::make_move_iterator(m_stack.begin() + static_cast<std::ptrdiff_t>(mark)),
                                       std::make_move_iterator(m_stack.end()));
    m_stack.resize(mark);
    return values;
  }

  void push(PickleValuePtr value) { m_stack.push_back(std::move(value)); }

  void push_tuple(std::vector<PickleValuePtr> items) {
    auto tuple = PickleValue::make(PickleKind::tuple);
    tuple->items = std::move(items);
    push(std::move(tuple));
  }

  void push_integer(std::int64_t value) { push(PickleValue::make_integer(value)); }

  void push_text(PickleKind kind, std::string text) {
    auto value = PickleValue::make(kind);
    value->text = std::move(text);
    push(std::move(value));
  }

  void push_boolean(bool flag) {
    auto value = PickleValue::make(PickleKind::boolean);
    value->boolean = flag;
    push(std::move(value));
  }

  void push_long(const std::string& little_endian) {
    if (little_endian.size() > 8) {
      push_text(PickleKind::big_integer, little_endian);
      return;
    }
    std::uint64_t bits = 0;
    for (std::size_t i = little_endian.size(); i-- > 0;) {
      bits = (bits << 8) | static_cast<unsigned char>(little_endian[i]);
    }
    const std::size_t width = little_endian.size() * 8;
    if (width > 0 && width < 64 && (bits >> (width - 1)) & 1U) bits |= ~std::uint64_t{0} << width;
    push_integer(static_cast<std::int64_t>(bits));
  }

  void memo_put(std::uint64_t index) { m_memo[index] = top(); }

  void memo_get(std::uint64_t index) {
    auto it = m_memo.find(index);
    if (it == m_memo.end()) fail("memo entry " + std::to_string(index) + " was never stored; the pickle is corrupt");
    push(it->second);
  }

  std::uint64_t parse_decimal(const std::string& text) {
    if (text.empty() || text.size() > 18) fail("bad decimal argument " + quote_for_message(text));
    std::uint64_t value = 0;
    for (char c : text) {
      if (c < '0' || c > '9') fail("bad decimal argument " + quote_for_message(text));
      value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return value;
  }

  static bool same_key(const PickleValue& a, const PickleValue& b) {
    if (a.kind != b.kind) return false;
    switch (a.kind) {
      case PickleKind::string:
      case PickleKind::bytes:
      case PickleKind::big_integer: return a.text == b.text;
      case PickleKind::integer: return a.integer == b.integer;
      case PickleKind::boolean: return a.boolean == b.boolean;
      case PickleKind::none: return true;
      default: return &a == &b;
    }
  }

  void set_item(PickleValue& dict, PickleValuePtr key, PickleValuePtr value) {
    if (!dict.is(PickleKind::dict)) fail("SETITEM on a " + dict.describe() + ", not on a dict");
    for (auto& entry : dict.entries) {
      if (same_key(*entry.first, *key)) {
        entry.second = std::move(value);
        return;
      }
    }
    dict.entries.emplace_back(std::move(key), std::move(value));
  }

  void append(PickleValue& list, std::vector<PickleValuePtr> values) {
    if (!list.is(PickleKind::list)) fail("APPEND on a " + list.describe() + ", not on a list");
    for (auto& value : values) list.items.push_back(std::move(value));
  }

  void execute(unsigned char opcode) {
    switch (opcode) {
      case PROTO: {
        const unsigned char protocol = read_byte();
        if (protocol > 4) fail("pickle protocol " + std::to_string(protocol) + " is not supported (0-4 are)");
        return;
      }
      case FRAME: read_unsigned(8); return;  // framing only groups opcodes; the stream is read as is
      case MARK: m_marks.push_back(m_stack.size()); return;
      case POP: pop(); return;
      case POP_MARK: pop_to_mark(); return;
      case DUP: push(top()); return;
      case NONE: push(PickleValue::make(PickleKind::none)); return;
      case NEWTRUE: push_boolean(true); return;
      case NEWFALSE: push_boolean(false); return;
      case BININT: push_integer(static_cast<std::int32_t>(static_cast<std::uint32_t>(read_unsigned(4)))); return;
      case BININT1: push_integer(static_cast<std::int64_t>(read_unsigned(1))); return;
      case BININT2: push_integer(static_cast<std::int64_t>(read_unsigned(2))); return;
      case LONG1: push_long(read_string(read_unsigned(1))); return;
      case LONG4: push_long(read_string(read_unsigned(4))); return;
      case INT: {  // protocol 0; Python 2 writes booleans as I01 / I00
        std::string text = read_line();
        if (text == "01" || text == "00") {
          push_boolean(text == "01");
          return;
        }
        const bool negative = !text.empty() && text[0] == '-';
        const std::uint64_t magnitude = parse_decimal(negative ? text.substr(1) : text);
        push_integer(negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude));
        return;
      }
      case LONG: {
        std::string text = read_line();
        if (!text.empty() && text.back() == 'L') text.pop_back();
        const bool negative = !text.empty() && text[0] == '-';
        const std::uint64_t magnitude = parse_decimal(negative ? text.substr(1) : text);
        push_integer(negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude));
        return;
      }
      case BINFLOAT: {
        unsigned char buffer[8];
        read_raw(reinterpret_cast<char*>(buffer), 8);
        std::uint64_t bits = 0;
        for (unsigned char byte : buffer) bits = (bits << 8) | byte;  // big-endian
        auto value = PickleValue::make(PickleKind::floating);
        std::memcpy(&value->floating, &bits, sizeof bits);
        push(std::move(value));
        return;
      }
      case FLOAT: {
        const std::string text = read_line();
        auto value = PickleValue::make(PickleKind::floating);
        try {
          value->floating = std::stod(text);
        } catch (const std::exception&) {
          fail("bad float argument " + quote_for_message(text));
        }
        push(std::move(value));
        return;
      }
      case BINUNICODE: push_text(PickleKind::string, read_string(read_unsigned(4))); return;
      case SHORT_BINUNICODE: push_text(PickleKind::string, read_string(read_unsigned(1))); return;
      case BINUNICODE8: push_text(PickleKind::string, read_string(read_unsigned(8))); return;
      case BINSTRING: push_text(PickleKind::string, read_string(read_unsigned(4))); return;
      case SHORT_BINSTRING: push_text(PickleKind::string, read_string(read_unsigned(1))); return;
      case BINBYTES: push_text(PickleKind::bytes, read_string(read_unsigned(4))); return;
      case SHORT_BINBYTES: push_text(PickleKind::bytes, read_string(read_unsigned(1))); return;
      case BINBYTES8: push_text(PickleKind::bytes, read_string(read_unsigned(8))); return;
      case EMPTY_TUPLE: push_tuple({}); return;
      case TUPLE1: {
        auto a = pop();
        push_tuple({a});
        return;
      }
      case TUPLE2: {
        auto b = pop();
        auto a = pop();
        push_tuple({a, b});
        return;
      }
      case TUPLE3: {
        auto c = pop();
        auto b = pop();
        auto a = pop();
        push_tuple({a, b, c});
        return;
      }
      case TUPLE: push_tuple(pop_to_mark()); return;
      case EMPTY_LIST: push(PickleValue::make(PickleKind::list)); return;
      case LIST: {
        auto list = PickleValue::make(PickleKind::list);
        list->items = pop_to_mark();
        push(std::move(list));
        return;
      }
      case APPEND: {
        auto value = pop();
        append(*top(), {std::move(value)});
        return;
      }
      case APPENDS: {
        auto values = pop_to_mark();
        append(*top(), std::move(values));
        return;
      }
      case EMPTY_DICT: push(PickleValue::make(PickleKind::dict)); return;
      case DICT: {
        auto values = pop_to_mark();
        if (values.size() % 2 != 0) fail("DICT with an odd number of keys and values");
        auto dict = PickleValue::make(PickleKind::dict);
        for (std::size_t i = 0; i < values.size(); i += 2) set_item(*dict, values[i], values[i + 1]);
        push(std::move(dict));
        return;
      }
      case SETITEM: {
        auto value = pop();
        auto key = pop();
        set_item(*top(), std::move(key), std::move(value));
        return;
      }
      case SETITEMS: {
        auto values = pop_to_mark();
        if (values.size() % 2 != 0) fail("SETITEMS with an odd number of keys and values");
        PickleValue& dict = *top();
        for (std::size_t i = 0; i < values.size(); i += 2) set_item(dict, values[i], values[i + 1]);
        return;
      }
      case PUT: memo_put(parse_decimal(read_line())); return;
      case BINPUT: memo_put(read_unsigned(1)); return;
      case LONG_BINPUT: memo_put(read_unsigned(4)); return;
      case MEMOIZE: memo_put(m_memo.size()); return;
      case GET: memo_get(parse_decimal(read_line())); return;
      case BINGET: memo_get(read_unsigned(1)); return;
      case LONG_BINGET: memo_get(read_unsigned(4)); return;
      case GLOBAL: {
        std::string module = read_line();
        std::string name = read_line();
        push(m_rules.find_global(module, name));
        return;
      }
      case STACK_GLOBAL: {
        auto name = pop();
        auto module = pop();
        if (!module->is(PickleKind::string) || !name->is(PickleKind::string)) {
          fail("STACK_GLOBAL needs two strings, found " + module->describe() + " and " + name->describe());
        }
        push(m_rules.find_global(module->text, name->text));
        return;
      }
      case REDUCE: {
        auto args = pop();
        auto callable = pop();
        if (!args->is(PickleKind::tuple)) fail("REDUCE arguments are a " + args->describe() + ", not a tuple");
        push(m_rules.call(*callable, *args));
        return;
      }
      case BUILD: {
        auto state = pop();
        m_rules.build(*top(), state);
        return;
      }
      case BINPERSID: {
        auto pid = pop();
        push(m_rules.persistent_load(*pid));
        return;
      }
      default:
        // INST, OBJ, NEWOBJ, EXT*, protocol-5 buffers, text strings ...: never written by torch.save, and the
        // object-creating ones could instantiate arbitrary classes.
        fail("this pickle opcode is not supported or not allowed in a checkpoint");
    }
  }

  std::istream& m_in;
  const PickleSource& m_source;
  UnpicklerRules& m_rules;
  std::vector<PickleValuePtr> m_stack;
  std::vector<std::size_t> m_marks;
  std::unordered_map<std::uint64_t, PickleValuePtr> m_memo;
  std::int64_t m_position = 0;
  std::int64_t m_opcode_offset = 0;
  unsigned char m_opcode = 0;
};

}  // namespace

PickleValuePtr read_pickle(std::istream& in, const PickleSource& source, UnpicklerRules& rules,
                           std::int64_t* bytes_read) {
  Unpickler unpickler(in, source, rules);
  PickleValuePtr value = unpickler.run();
  if (bytes_read != nullptr) *bytes_read = unpickler.position();
  return value;
}

}  // namespace counterscope::modeling
