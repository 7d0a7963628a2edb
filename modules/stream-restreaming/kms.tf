# One customer-managed key protects the tables, the stream keys (encrypted by the API with the
# destination id as encryption context) and the alarm topic.
resource "aws_kms_key" "this" {
  description             = "${var.project_name}: IVS restreaming tables, stream keys and alarms"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  policy                  = data.aws_iam_policy_document.kms_key.json
  tags                    = local.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.project_name}-restreaming"
  target_key_id = aws_kms_key.this.key_id
}

data "aws_iam_policy_document" "kms_key" {
  # The default key policy: the account administers the key and IAM policies decide who uses it
  # (the functions' roles in iam.tf).
  statement {
    sid       = "AccountAdministersKeyThroughIam"
    actions   = ["kms:*"]
    resources = ["*"] # in a key policy, "*" is this key
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # CloudWatch alarms publish to the encrypted SNS topic; the AWS managed SNS key cannot be
  # used by CloudWatch, a customer-managed key can.
  statement {
    sid       = "CloudWatchAlarmsPublishToEncryptedTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}
