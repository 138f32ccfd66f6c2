/// Reverse-mode automatic differentiation.
///
/// `loss.backward()` sets d(loss)/d(loss) = 1, orders the graph so that every tensor comes
/// after the tensors made from it, and calls each backward function once, in that order.
/// Each backward function adds (+=) into its inputs' gradients: a tensor used twice (like
/// GPT-2's tied token embedding) receives the sum of both contributions.
extension Tensor {
    public func backward() {
        precondition(count == 1, "backward: start from a one-element loss, got shape \(shape)")
        accumulateGrad { $0[0] += 1 }
        for node in topologicalOrder().reversed() {
            if let backwardFunction = node.backwardFunction, node.grad != nil {
                backwardFunction(node)
            }
        }
    }

    /// Every tensor reachable from this one, inputs before the results made from them.
    /// Iterative depth-first search, so a long graph cannot overflow the stack.
    func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (node, nextParent) = stack.popLast() {
            if nextParent < node.parents.count {
                stack.append((node, nextParent + 1))
                let parent = node.parents[nextParent]
                if visited.insert(ObjectIdentifier(parent)).inserted, parent.backwardFunction != nil {
                    stack.append((parent, 0))
                }
            } else {
                order.append(node)
            }
        }
        return order
    }
}
