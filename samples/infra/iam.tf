data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "function" {
  name               = "${var.name}-function"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.function.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_iam_role_policy_attachment" "xray" {
  role       = aws_iam_role.function.name
  policy_arn = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

data "aws_iam_policy_document" "function" {
  statement {
    sid     = "InvokeBedrockModels"
    actions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    resources = [
      "arn:aws:bedrock:*::foundation-model/*",
      "arn:aws:bedrock:*:${data.aws_caller_identity.current.account_id}:inference-profile/*",
      "arn:aws:bedrock:*:${data.aws_caller_identity.current.account_id}:application-inference-profile/*",
    ]
  }

  statement {
    sid     = "ReadRegistryAndKeys"
    actions = ["ssm:GetParameter"]
    resources = concat(
      [aws_ssm_parameter.models.arn],
      aws_ssm_parameter.mistral_api_key[*].arn,
      aws_ssm_parameter.bedrock_api_key[*].arn,
    )
  }

  statement {
    sid       = "DecryptSecureStrings"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${var.region}.amazonaws.com"]
    }
  }
}

# The audit copy: write objects into the audit bucket only, encrypted with the audit key only (SSE-KMS needs
# kms:GenerateDataKey on a single-part PUT; the exporter never reads back or uploads in parts).
data "aws_iam_policy_document" "audit" {
  statement {
    sid       = "WriteAuditCopy"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.audit.arn}/audit/*"]
  }

  statement {
    sid       = "EncryptAuditCopy"
    actions   = ["kms:GenerateDataKey"]
    resources = [aws_kms_key.audit.arn]
  }
}

resource "aws_iam_role_policy" "audit" {
  name   = "${var.name}-audit"
  role   = aws_iam_role.function.id
  policy = data.aws_iam_policy_document.audit.json
}

resource "aws_iam_role_policy" "function" {
  name   = "${var.name}-models"
  role   = aws_iam_role.function.id
  policy = data.aws_iam_policy_document.function.json
}
