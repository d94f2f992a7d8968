/// A value axis from 0 to a round maximum with a few round ticks, in the figures' own integer units
/// (ten-thousandths for amounts, 1 for counts), so that tick labels are exact.
struct ChartScale {
    /// The axis' top, a whole number of `step`s.
    let maximum: Int64
    let step: Int64

    /// Pixel positions are the only thing computed in floating point (`fraction`).
    init(largest: Int64, targetTicks: Int64 = 4) {
        let largest = max(largest, 1)
        var step: Int64 = 1
        // Steps of 1, 2 or 5 times a power of ten, the first giving at most `targetTicks` intervals.
        outer: while true {
            for multiplier: Int64 in [1, 2, 5] {
                let candidate = step * multiplier
                if (largest + candidate - 1) / candidate <= targetTicks {
                    step = candidate
                    break outer
                }
            }
            guard step <= Int64.max / 100 else { break }
            step *= 10
        }
        self.step = step
        self.maximum = ((largest + step - 1) / step) * step
    }

    var ticks: [Int64] { Array(stride(from: Int64(0), through: maximum, by: Int(step))) }

    /// Where `value` lies from 0 (the axis' foot) to 1 (its top).
    func fraction(_ value: Int64) -> Double {
        maximum == 0 ? 0 : Double(value) / Double(maximum)
    }
}
