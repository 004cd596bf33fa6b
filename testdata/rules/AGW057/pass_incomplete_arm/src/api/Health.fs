module Health

// F# is not read: this route is unknown to agwlint, so AGW057 stays silent.
[<FunctionName("healthz2")>]
let run ([<HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")>] req: HttpRequest) =
    OkObjectResult("ok")
