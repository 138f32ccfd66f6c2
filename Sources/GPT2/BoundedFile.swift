import Foundation

/// Reading a file we were given, treating it as data and never trusting its size.
///
/// Before a single byte is read:
///   1. the path must name a regular file (not a folder, a FIFO or a device such as /dev/zero,
///      which would never end)
///   2. its size must be at most `limit` bytes
/// Errors are one line, naming the path and what was wrong.
public enum BoundedFile {
    /// Why a file was not read, one line.
    public struct ReadError: Error, CustomStringConvertible, Equatable {
        public let path: String
        public let problem: String
        /// The file is larger than the limit (the only problem a caller may explain further).
        public var isTooLarge = false
        public var description: String { "\(path) \(problem)" }
    }

    /// The size of a regular file at `path`, or an error saying what is there instead.
    public static func regularFileSize(_ path: String) throws -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno == ENOENT ? "does not exist" : "cannot be read (\(String(cString: strerror(errno))))"
            throw ReadError(path: path, problem: reason)
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return Int(info.st_size)
        case S_IFDIR: throw ReadError(path: path, problem: "is a folder, not a file")
        default: throw ReadError(path: path, problem: "is not a regular file (a device, pipe or socket)")
        }
    }

    /// The bytes of a regular file of at most `limit` bytes; `mapped` maps large files instead of copying.
    public static func read(_ url: URL, limit: Int, mapped: Bool = false) throws -> Data {
        let size = try regularFileSize(url.path)
        guard size <= limit else {
            throw ReadError(path: url.path, problem: "is \(size) bytes, more than the limit of \(limit) bytes", isTooLarge: true)
        }
        do {
            let data = try Data(contentsOf: url, options: mapped ? .mappedIfSafe : [])
            guard data.count <= limit else {  // it grew while we looked
                throw ReadError(path: url.path, problem: "is more than the limit of \(limit) bytes", isTooLarge: true)
            }
            return data
        } catch let error as ReadError {
            throw error
        } catch {
            throw ReadError(path: url.path, problem: "cannot be read (permission denied?)")
        }
    }
}

/// Lines of a text file: split at every "\n", with a "\r" before it removed (Windows files).
///
/// Not `text.split(separator: "\n")`: Swift sees "\r\n" as one Character, different from "\n",
/// so a file with Windows line endings would come out as a single line.
public func textLines(_ text: String) -> [String] {
    text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
        let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...]
        return String(decoding: trimmed, as: UTF8.self)
    }
}
