import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be written.
public struct FileWriteError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}

/// Writing a file so that a reader sees either the old contents or the new, never half of each.
///
/// Recipe (the same one databases use):
///   1. write the bytes to a temporary file in the same folder (same file system, so step 3 is atomic)
///   2. fsync the temporary file (the bytes reach the disk before the name does)
///   3. rename the temporary file over the destination (atomic on POSIX)
///   4. fsync the folder (the new name itself reaches the disk)
/// A crash at any step leaves the old file intact (and perhaps a stray `.tmp-` file).
public enum AtomicFile {
    /// Writes `data` to `url` atomically, creating the parent folder if needed.
    public static func write(_ data: Data, to url: URL) throws {
        let path = url.path
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw FileWriteError(path: path, reason: "cannot create folder \(folder.path): \(error.localizedDescription)")
        }
        let temporaryPath = folder.appendingPathComponent(
            ".tmp-\(url.lastPathComponent)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path

        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw FileWriteError(path: path, reason: "cannot create temporary file: \(errnoMessage())")
        }
        var closed = false
        defer {
            if !closed { close(descriptor) }
        }
        do {
            try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
                var written = 0
                while written < buffer.count {
                    let result = Foundation.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                    if result < 0 {
                        if errno == EINTR { continue }
                        throw FileWriteError(path: path, reason: "write failed: \(errnoMessage())")
                    }
                    written += result
                }
            }
            guard fsync(descriptor) == 0 else {
                throw FileWriteError(path: path, reason: "fsync failed: \(errnoMessage())")
            }
            closed = true
            guard close(descriptor) == 0 else {
                throw FileWriteError(path: path, reason: "close failed: \(errnoMessage())")
            }
            guard rename(temporaryPath, path) == 0 else {
                throw FileWriteError(path: path, reason: "rename failed: \(errnoMessage())")
            }
        } catch {
            unlink(temporaryPath)
            throw error
        }
        syncFolder(folder.path)
    }

    /// fsync on a folder makes a rename inside it durable. Best effort: some file systems refuse.
    static func syncFolder(_ path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    static func errnoMessage() -> String { String(cString: strerror(errno)) }
}
