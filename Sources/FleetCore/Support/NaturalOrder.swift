/// Orders strings the way people read host names: `ms-2` before `ms-10`. Runs of digits compare
/// as numbers (more leading zeros first on a tie), everything else case-insensitively; digits
/// sort before other characters.
public enum NaturalOrder {
    public static func less(_ a: String, _ b: String) -> Bool { less(key(a), key(b)) }

    /// What comparisons work on: the lower-cased UTF-8 bytes, made once per string.
    public static func key(_ s: String) -> [UInt8] {
        s.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    public static func less(_ x: [UInt8], _ y: [UInt8]) -> Bool {
        x.withUnsafeBufferPointer { a in y.withUnsafeBufferPointer { b in less(a, b) } }
    }

    static func less(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0, j = 0
        while i < x.count && j < y.count {
            let a = x[i], b = y[j]
            if isDigit(a) && isDigit(b) {
                // Compare the two digit runs as numbers: skip leading zeros, then longer is larger,
                // then digit by digit; of equal numbers the one with more leading zeros goes first.
                var ie = i, je = j
                while ie < x.count && isDigit(x[ie]) { ie += 1 }
                while je < y.count && isDigit(y[je]) { je += 1 }
                var iz = i, jz = j
                while iz < ie - 1 && x[iz] == 48 { iz += 1 }
                while jz < je - 1 && y[jz] == 48 { jz += 1 }
                let xl = ie - iz, yl = je - jz
                if xl != yl { return xl < yl }
                var k = 0
                while k < xl {
                    if x[iz + k] != y[jz + k] { return x[iz + k] < y[jz + k] }
                    k += 1
                }
                if ie - i != je - j { return ie - i > je - j }
                i = ie
                j = je
                continue
            }
            if isDigit(a) != isDigit(b) { return isDigit(a) }
            if a != b { return a < b }
            i += 1
            j += 1
        }
        return x.count - i < y.count - j
    }
}

extension Sequence {
    /// Sorted by a string key in natural order.
    public func naturallySorted(by key: (Element) -> String) -> [Element] {
        let items = Array(self)
        return NaturalOrder.permutation(items.map(key)).map { items[$0] }
    }
}

extension NaturalOrder {
    /// The positions of `strings` in natural order (stable). The keys are made once and kept in
    /// one buffer, so 100,000 host names sort without a reference count per comparison.
    public static func permutation(_ strings: [String]) -> [Int] {
        var bytes: [UInt8] = []
        var bounds: [Range<Int>] = []
        bounds.reserveCapacity(strings.count)
        for s in strings {
            let start = bytes.count
            for b in s.utf8 { bytes.append(b >= 65 && b <= 90 ? b + 32 : b) }
            bounds.append(start..<bytes.count)
        }
        return bytes.withUnsafeBufferPointer { buffer in
            bounds.withUnsafeBufferPointer { ranges in
                Array(strings.indices).sorted { a, b in
                    let x = UnsafeBufferPointer(rebasing: buffer[ranges[a]]), y = UnsafeBufferPointer(rebasing: buffer[ranges[b]])
                    if less(x, y) { return true }
                    return !less(y, x) && a < b
                }
            }
        }
    }
}

extension Array {
    /// Puts the elements in the order `permutation` gives (`self[i]` becomes the old
    /// `self[permutation[i]]`), in place: a report's 10,000 large rows are not copied into a
    /// second array. `permutation` must hold each index once.
    public mutating func permute(_ permutation: [Int]) {
        precondition(permutation.count == count, "a permutation of every index")
        var placed = [Bool](repeating: false, count: count)
        for start in indices where !placed[start] {
            // Follow the cycle through `start`, moving each element once.
            var j = start
            while true {
                placed[j] = true
                let k = permutation[j]
                if k == start { break }
                swapAt(j, k)
                j = k
            }
        }
    }
}
