/// A binary min-heap: `push` and `popMinimum` in O(log n), the smallest element first.
struct MinimumHeap<Element: Comparable> {
    /// The elements in heap order: each is no larger than its children at `2i+1` and `2i+2`.
    private var elements: [Element] = []

    /// An empty heap.
    init() {}

    /// The number of elements.
    var count: Int { elements.count }

    /// Whether the heap is empty.
    var isEmpty: Bool { elements.isEmpty }

    /// The smallest element, without removing it.
    var minimum: Element? { elements.first }

    /// Adds `element`.
    mutating func push(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard elements[child] < elements[parent] else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the smallest element.
    mutating func popMinimum() -> Element? {
        guard let last = elements.popLast() else { return nil }
        guard !elements.isEmpty else { return last }
        let minimum = elements[0]
        elements[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < elements.count else { break }
            let right = left + 1
            let smaller = right < elements.count && elements[right] < elements[left] ? right : left
            guard elements[smaller] < elements[parent] else { break }
            elements.swapAt(smaller, parent)
            parent = smaller
        }
        return minimum
    }

    /// Removes every element, keeping the storage.
    mutating func removeAll() {
        elements.removeAll(keepingCapacity: true)
    }
}
