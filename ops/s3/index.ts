export { s3Client, s3Endpoint, s3EndpointVariables, s3Region, type S3Options } from "./client";
export { isS3Url, parseS3Url, type S3Location } from "./url";
