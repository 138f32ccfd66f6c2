import Foundation

/// The stages a setting belongs to; `:show GROUP` lists one of them.
public enum SettingGroup: String, CaseIterable, Sendable {
    case session = "Session"
    case training = "Training (all stages)"
    case pretraining = "Pre-training"
    case sft = "SFT"
    case sampling = "Sampling"
    case reward = "Reward model"
    case policy = "Policy optimisation"
    case dpo = "DPO"
    case feedback = "Feedback and evaluation"

    /// The short word for `:show WORD`.
    public var key: String {
        switch self {
        case .session: "session"
        case .training: "training"
        case .pretraining: "pretrain"
        case .sft: "sft"
        case .sampling: "sampling"
        case .reward: "reward"
        case .policy: "policy"
        case .dpo: "dpo"
        case .feedback: "feedback"
        }
    }
}

/// A floating-point interval whose ends may be open: `0 < top_p <= 1`.
public struct FloatRange: Equatable, Sendable {
    public var lower: Double
    public var lowerInclusive: Bool
    public var upper: Double
    public var upperInclusive: Bool

    public init(_ lower: Double, _ upper: Double, lowerInclusive: Bool = true, upperInclusive: Bool = true) {
        self.lower = lower; self.upper = upper
        self.lowerInclusive = lowerInclusive; self.upperInclusive = upperInclusive
    }

    public func contains(_ x: Double) -> Bool {
        (lowerInclusive ? x >= lower : x > lower) && (upperInclusive ? x <= upper : x < upper)
    }

    /// `0 < top_p <= 1`
    public func describe(_ name: String) -> String {
        "\(Format.plain(lower)) \(lowerInclusive ? "<=" : "<") \(name) \(upperInclusive ? "<=" : "<") \(Format.plain(upper))"
    }
}

/// What values a setting takes.
public enum SettingKind: Equatable, Sendable {
    case int(ClosedRange<Int>)
    case float(FloatRange)
    case bool
    case word([String])
    case string

    public var typeName: String {
        switch self {
        case .int: "integer"
        case .float: "number"
        case .bool: "on|off"
        case .word(let words): words.joined(separator: "|")
        case .string: "text"
        }
    }
}

/// A setting's value. Floats are kept as Double; `settings.float` hands stages a Float.
public enum SettingValue: Equatable, Sendable, CustomStringConvertible {
    case int(Int)
    case float(Double)
    case bool(Bool)
    case word(String)
    case string(String)

    public var description: String {
        switch self {
        case .int(let i): String(i)
        case .float(let x): Format.plain(x)
        case .bool(let b): b ? "on" : "off"
        case .word(let w): w
        case .string(let s): s.isEmpty ? "\"\"" : s
        }
    }

    public var json: JSONValue {
        switch self {
        case .int(let i): .int(i)
        case .float(let x): .number(x)
        case .bool(let b): .bool(b)
        case .word(let w): .string(w)
        case .string(let s): .string(s)
        }
    }
}

/// One typed, range-checked setting with its default and a one-line doc, like nanoGPT's
/// commented list of defaults.
public struct SettingSpec: Sendable {
    public let name: String
    public let group: SettingGroup
    public let kind: SettingKind
    public let defaultValue: SettingValue
    public let doc: String

    public init(_ name: String, _ group: SettingGroup, _ kind: SettingKind,
                default defaultValue: SettingValue, _ doc: String) {
        self.name = name; self.group = group; self.kind = kind
        self.defaultValue = defaultValue; self.doc = doc
    }

    /// The allowed values, as an error hint states them: `allowed: 0 <= beta <= 100`.
    public var allowed: String {
        switch kind {
        case .int(let r): "\(r.lowerBound) <= \(name) <= \(r.upperBound), a whole number"
        case .float(let r): r.describe(name)
        case .bool: "on or off"
        case .word(let words): words.joined(separator: ", ")
        case .string: "any text"
        }
    }

    /// Parses and checks `text`; never clamps. The error names the value and the allowed range.
    public func parse(_ text: String) throws -> SettingValue {
        func refuse(_ why: String) -> LabError {
            LabError("\(name): \(why)", hint: "allowed: \(allowed)")
        }
        let t = text.trimmingWhitespace
        switch kind {
        case .int(let range):
            guard let i = Int(t) else {
                if let x = Double(t), x.isFinite, x == x.rounded() , abs(x) < 1e18 {
                    let i = Int(x)
                    guard range.contains(i) else { throw refuse("\(t) is out of range") }
                    return .int(i)
                }
                throw refuse("'\(text)' is not a whole number")
            }
            guard range.contains(i) else {
                throw refuse(i < 0 && range.lowerBound >= 0 ? "\(t) is negative" : "\(t) is out of range")
            }
            return .int(i)
        case .float(let range):
            guard let x = Double(t) else { throw refuse("'\(text)' is not a number") }
            guard !x.isNaN else { throw refuse("nan is not a number") }
            guard x.isFinite else { throw refuse("\(t) is infinite") }
            guard range.contains(x) else {
                throw refuse(x < 0 && range.lower >= 0 ? "\(t) is negative" : "\(t) is out of range")
            }
            return .float(x)
        case .bool:
            switch t.lowercased() {
            case "on", "true", "yes", "1": return .bool(true)
            case "off", "false", "no", "0": return .bool(false)
            default: throw refuse("'\(text)' is not on or off")
            }
        case .word(let words):
            if words.contains(t) { return .word(t) }
            let lower = t.lowercased()
            if let w = words.first(where: { $0.lowercased() == lower }) { return .word(w) }
            var error = refuse("'\(text)' is not one of \(words.joined(separator: ", "))")
            if let dym = EditDistance.hint(for: t, among: words) { error.hint = "allowed: \(allowed); \(dym)" }
            throw error
        case .string:
            return .string(text)
        }
    }
}

/// The registry of settings: typed values, defaults, change hooks.
/// `:set` goes through `set(_:to:)`; stages read `settings.float("ppo.clip")` and friends.
public final class Settings {
    public private(set) var specs: [SettingSpec] = []
    private var index: [String: Int] = [:]
    private var values: [String: SettingValue] = [:]
    private var hooks: [String: [(SettingValue, SettingValue) -> Void]] = [:]

    public init(_ specs: [SettingSpec] = Settings.catalog) {
        for spec in specs { register(spec) }
    }

    /// Adds a setting. Stages may register their own; a name can be registered once.
    public func register(_ spec: SettingSpec) {
        precondition(index[spec.name] == nil, "setting \(spec.name) registered twice")
        index[spec.name] = specs.count
        specs.append(spec)
        values[spec.name] = spec.defaultValue
    }

    public var names: [String] { specs.map(\.name) }

    /// The setting called `name`, where a dash may stand for an underscore (`top-k` is `top_k`,
    /// `--top-k 5` is `--top_k 5`): most command lines write their options with dashes, and a
    /// student types them so.
    public func spec(_ name: String) -> SettingSpec? {
        (index[name] ?? index[name.replacingOccurrences(of: "-", with: "_")]).map { specs[$0] }
    }

    /// The spec, or an error with "did you mean".
    public func lookup(_ name: String) throws -> SettingSpec {
        if let spec = spec(name) { return spec }
        let hint = EditDistance.hint(for: name, among: names) ?? "`:show` lists every setting"
        throw LabError("unknown setting '\(name)'", hint: hint)
    }

    public func value(_ name: String) -> SettingValue {
        guard let v = values[name] else { preconditionFailure("no setting named \(name)") }
        return v
    }

    /// Checks `text` for setting `name` without changing anything.
    public func validate(_ name: String, _ text: String) throws -> SettingValue {
        try lookup(name).parse(text)
    }

    /// `:set NAME VALUE`: checks, stores, runs the change hooks, returns (old, new).
    @discardableResult
    public func set(_ name: String, to text: String) throws -> (old: SettingValue, new: SettingValue) {
        let name = try lookup(name).name   // top-k -> top_k
        let new = try validate(name, text)
        let old = value(name)
        assign(name, new)
        return (old, new)
    }

    /// Stores an already checked value and runs the hooks if it changed.
    public func assign(_ name: String, _ new: SettingValue) {
        let old = value(name)
        values[name] = new
        if old != new { for hook in hooks[name] ?? [] { hook(old, new) } }
    }

    /// Calls `hook(old, new)` whenever setting `name` changes (e.g. threads -> ComputeThreads.count).
    public func onChange(_ name: String, _ hook: @escaping (SettingValue, SettingValue) -> Void) {
        precondition(index[name] != nil, "no setting named \(name)")
        hooks[name, default: []].append(hook)
    }

    /// The settings whose value differs from the default, in registry order.
    public var changed: [SettingSpec] { specs.filter { values[$0.name] != $0.defaultValue } }

    public func reset() {
        for spec in specs { assign(spec.name, spec.defaultValue) }
    }

    // MARK: typed getters (a wrong type or name is a programming error)

    public func int(_ name: String) -> Int {
        guard case .int(let i) = value(name) else { preconditionFailure("\(name) is not an integer setting") }
        return i
    }
    public func double(_ name: String) -> Double {
        guard case .float(let x) = value(name) else { preconditionFailure("\(name) is not a number setting") }
        return x
    }
    public func float(_ name: String) -> Float { Float(double(name)) }
    public func bool(_ name: String) -> Bool {
        guard case .bool(let b) = value(name) else { preconditionFailure("\(name) is not an on/off setting") }
        return b
    }
    public func word(_ name: String) -> String {
        guard case .word(let w) = value(name) else { preconditionFailure("\(name) is not a word setting") }
        return w
    }
    public func string(_ name: String) -> String {
        guard case .string(let s) = value(name) else { preconditionFailure("\(name) is not a text setting") }
        return s
    }
}
