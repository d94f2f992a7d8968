/// SQL LIKE patterns with the user's text taken literally (`%`, `_` and `\` escaped with `\`).
public enum LikePattern {
    public static func containing(_ text: String) -> String {
        var out = "%"
        for character in text {
            if character == "%" || character == "_" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out + "%"
    }
}
