import CatalogCore
import Foundation
import Mustache

/// The page's Mustache templates (Resources/Dashboard), parsed once. Every `{{value}}` is HTML-escaped
/// (Mustache's default content type); the templates use no triple braces.
enum DashboardTemplates {
    static let names = ["head", "login", "dashboard", "message"]

    static let library: Result<MustacheLibrary, CatalogError> = {
        guard let folder = Bundle.module.url(forResource: "Dashboard", withExtension: nil) else {
            return .failure(CatalogError(.internal, "The dashboard templates are missing from the installation."))
        }
        var library = MustacheLibrary()
        for name in names {
            do {
                let text = try String(contentsOf: folder.appendingPathComponent("\(name).mustache"), encoding: .utf8)
                try library.register(text, named: name)
            } catch {
                return .failure(CatalogError(.internal, "The dashboard template '\(name)' cannot be read: \(error)."))
            }
        }
        return .success(library)
    }()

    static func render(_ view: Any, _ name: String) throws -> String {
        guard let text = try library.get().render(view, withTemplate: name) else {
            throw CatalogError(.internal, "The dashboard template '\(name)' is missing.")
        }
        return text
    }
}
