/// A hyperparameter value that is not allowed: names the setting, the value and the allowed range.
public struct HyperparameterError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Checks that `value` is a finite number inside `range`; otherwise throws an error such as
/// `ppo.clip must be a number in 0.0...1.0, got nan`.
public func requireNumber(_ value: Float, _ name: String, in range: ClosedRange<Float>) throws {
    guard value.isFinite, range.contains(value) else {
        throw HyperparameterError("\(name) must be a number in \(range.lowerBound)...\(range.upperBound), got \(value)")
    }
}

/// Like `requireNumber`, but the lower bound itself is not allowed (a learning rate of 0 is refused).
public func requirePositive(_ value: Float, _ name: String, upTo upper: Float) throws {
    guard value.isFinite, value > 0, value <= upper else {
        throw HyperparameterError("\(name) must be a number in (0, \(upper)], got \(value)")
    }
}

/// Checks that a count lies in `range`.
public func requireCount(_ value: Int, _ name: String, in range: ClosedRange<Int>) throws {
    guard range.contains(value) else {
        throw HyperparameterError("\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound), got \(value)")
    }
}
