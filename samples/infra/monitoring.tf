# One dashboard over the EMF namespace, by registry model, whichever provider serves it.
locals {
  metric_widgets = [
    for metric in ["Invocations", "Errors", "Throttles", "Latency", "InputTokens", "OutputTokens", "CacheReadTokens", "Cost"] : {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title  = "${metric} by model"
        region = var.region
        stat   = metric == "Latency" ? "p90" : "Sum"
        period = 300
        metrics = [
          [{ expression = "SEARCH('{${var.metrics_namespace},Model} MetricName=\"${metric}\"', '${metric == "Latency" ? "p90" : "Sum"}', 300)", id = "e1" }],
        ]
      }
    }
  ]
}

resource "aws_cloudwatch_dashboard" "models" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.metric_widgets })
}

# One alarm per model and per kind: errors, and throttles (HTTP 429 class).
locals {
  alarm_kinds = {
    errors    = { metric = "Errors", threshold = var.error_alarm_threshold, description = "Calls to model %s failed." }
    throttles = { metric = "Throttles", threshold = var.throttle_alarm_threshold, description = "Model %s is being throttled (HTTP 429)." }
  }
  model_alarms = {
    for pair in setproduct(keys(local.models), keys(local.alarm_kinds)) :
    "${pair[0]}-${pair[1]}" => { model = pair[0], kind = local.alarm_kinds[pair[1]] }
  }
}

resource "aws_cloudwatch_metric_alarm" "model" {
  for_each            = local.model_alarms
  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = format(each.value.kind.description, each.value.model)
  namespace           = var.metrics_namespace
  metric_name         = each.value.kind.metric
  dimensions          = { Model = each.value.model }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = each.value.kind.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
}
