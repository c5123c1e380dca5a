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

resource "aws_cloudwatch_metric_alarm" "errors" {
  for_each            = local.models
  alarm_name          = "${var.name}-${each.key}-errors"
  alarm_description   = "Calls to model ${each.key} failed."
  namespace           = var.metrics_namespace
  metric_name         = "Errors"
  dimensions          = { Model = each.key }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.error_alarm_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "throttles" {
  for_each            = local.models
  alarm_name          = "${var.name}-${each.key}-throttles"
  alarm_description   = "Model ${each.key} is being throttled (HTTP 429)."
  namespace           = var.metrics_namespace
  metric_name         = "Throttles"
  dimensions          = { Model = each.key }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.throttle_alarm_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
}
