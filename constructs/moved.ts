import { TerraformElement, type TerraformResource } from "cdktf";

/**
 * A Terraform `moved` block that tells state a resource used to live at another address, so a
 * change of construct path renames the state entry instead of destroying and re-creating the
 * resource.
 *
 * Why not cdktf's own `resource.moveFromId()`: it makes every synth of the stack run
 * `terraform version` (cdktf adds a ValidateTerraformVersion to any stack with a resource move),
 * so `npm run synth` would need the terraform binary on the machine and spawn it once per stack.
 * The block written here is the same JSON (`moved: [{ to, from }]`, merged by cdktf with any
 * other element's), and terraform itself checks the version it needs (`required_version`).
 *
 * @example
 * new MovedFrom(key.alias, "aws_kms_alias.data_KeyAlias_75AF140F");
 */
export class MovedFrom extends TerraformElement {
  private readonly resource: TerraformResource;
  private readonly from: string;

  /** Records that `resource` was at Terraform address `from` (`<type>.<name>`) before. */
  constructor(resource: TerraformResource, from: string) {
    super(resource, "MovedFrom");
    this.resource = resource;
    this.from = from;
  }

  /** The `moved` block, in the shape cdktf's own move API synthesizes. */
  override toTerraform(): Record<string, unknown> {
    return {
      moved: [{ to: `${this.resource.terraformResourceType}.${this.resource.friendlyUniqueId}`, from: this.from }],
    };
  }
}
