import HTTPTypes
import Hummingbird

/// Responses whose JSON was written by hand (the read path's hot and exact-decimal bodies).
enum RawJSON {
    static func response(_ json: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        response(ByteBuffer(string: json), status: status, headers: headers)
    }

    static func response(_ json: ByteBuffer, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: json))
    }
}
