// TEMPORARY: replaced by Tokenizer.swift from the gpt2files branch at merge.
import Foundation
public protocol Tokenizer: Sendable {
    var vocabularySize: Int { get }
    var eosTokenId: Int32 { get }
    var padTokenId: Int32? { get }
    func encode(_ text: String) -> [Int32]
    func decode(_ ids: [Int32]) -> String
    func token(for id: Int32) -> String?
    func id(for token: String) -> Int32?
}
